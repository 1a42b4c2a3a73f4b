// The run's wrapper folder in the temp dir names its owner's pid: a run's start removes folders whose
// owner is gone (a Vigil killed with SIGKILL) and never one whose owner runs — two replicas on one host
// once removed each other's folders in the moment between creating one and writing its owner file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, it } from 'node:test';
import { sweepStaleWorkDirs } from '../../src/suites/run-suite.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const folder = (suffix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `vigil-run-${suffix}`));
  made.push(dir);
  return dir;
};

it('removes the folders of a process that is gone, keeps those of a live one and any it cannot place', async () => {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
  try {
    const dead = folder(`${child.pid}-`);
    const running = folder(`${live.pid}-`);
    const mine = folder(`${process.pid}-`);
    const unnamed = folder('');
    sweepStaleWorkDirs();
    assert.equal(existsSync(dead), false, 'the dead owner’s folder is removed');
    assert.equal(existsSync(running), true, 'a running owner’s folder stays');
    assert.equal(existsSync(mine), true, 'this process’s folder stays');
    assert.equal(existsSync(unnamed), true, 'a folder without an owner in its name is not ours to judge');
  } finally {
    live.kill('SIGKILL');
  }
});
