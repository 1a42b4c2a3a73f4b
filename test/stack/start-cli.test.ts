// `node demo/stack/start.ts` — the one command of the docs: it prints a vigil.yaml Vigil accepts, takes
// commands on stdin, and when it is killed outright (SIGKILL: no handler runs) its guardian still
// stops every process of the stack.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { serverStates } from '../../demo/stack/index.ts';
import { processesOf, stackSkip } from '../helpers/stack-processes.ts';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

interface Started {
  dir: string;
  lbUrl: string;
  adminToken: string;
  configFile: string;
  members: Array<{ name: string; pid: number }>;
  haproxy: { socket: string };
  control: string;
  processGroups: number[];
}

describe('node demo/stack/start.ts', { skip: stackSkip(), timeout: 120_000 }, () => {
  let child: ChildProcess;
  let started: Started;
  let stderr = '';

  before(async () => {
    child = spawn(process.execPath, [join(repoRoot, 'demo/stack/start.ts'), '--members', '2', '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    started = await new Promise<Started>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no JSON line within 60s; stderr: ${stderr}`)), 60_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as Started);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before starting; stderr: ${stderr}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Killed outright, it cannot remove its temp dir: its processes are the guardian's job, the files ours.
    if (started) await rm(started.dir, { recursive: true, force: true });
  });

  it('writes a vigil.yaml that Vigil accepts, whose model sees the stack', async () => {
    const env = { DEMO_ADMIN_TOKEN: started.adminToken };
    const checked = await runVigil(['config', 'check', '--config', started.configFile], { env });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const shown = await runVigil(['model', 'show', 'shop', '--transitive', '--config', started.configFile], { env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /✓ OK +nagios:lb!HTTP \[fresh/);
    assert.match(shown.stdout, /\n {2}app-1 {2}OK {2}\(and; 3 checks, 0 members; discovered\)\n/);
    // No run of the suite yet: the suite's check stands in the way, as it should.
    assert.match(shown.stdout, /vigil:demo@stack/);
    assert.match(shown.stdout, /all green transitively: no/);
  });

  it('takes commands on stdin and from demo/stack/control.ts: maint and ready through the runtime API, kill and restart a member', async () => {
    const status = async (server: string) => (await serverStates(started.haproxy.socket)).find((s) => s.server === server)?.status;
    const until = async (what: string, holds: () => Promise<boolean>) => {
      const deadline = Date.now() + 10_000;
      while (!(await holds())) {
        if (Date.now() > deadline) assert.fail(`${what} within 10s; stderr: ${stderr}`);
        await sleep(100);
      }
    };
    child.stdin!.write('maint app-1\n');
    await until('app-1 in MAINT', async () => (await status('app-1')) === 'MAINT');
    // The same command table from another process, through the control socket (what scenario actions run).
    const control = spawnSync(process.execPath, [join(repoRoot, 'demo/stack/control.ts'), started.dir, 'ready', 'app-1'], { encoding: 'utf8' });
    assert.equal(control.status, 0, control.stderr);
    assert.equal(started.control, join(started.dir, 'control.sock'));
    await until('app-1 back UP', async () => (await status('app-1')) === 'UP');

    const app0 = started.members.find((m) => m.name === 'app-0')!;
    child.stdin!.write('kill app-0\n');
    await until('app-0 gone', async () => !existsSync(`/proc/${app0.pid}`) && (await status('app-0')) === 'DOWN');
    child.stdin!.write('restart app-0\n');
    await until('app-0 UP again', async () => (await status('app-0')) === 'UP');
  });

  it('killed with SIGKILL, it leaves no process behind: the guardian stops them all', async () => {
    const running = await processesOf(started.processGroups, started.dir);
    assert.ok(running.length >= 5, `processes of the stack before: ${JSON.stringify(running)}`);
    assert.ok(
      running.some((p) => p.command.includes('--worker')),
      `Nagios workers among ${JSON.stringify(running)}`,
    );
    child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    let left = running;
    while (left.length && Date.now() < deadline) {
      await sleep(200);
      left = await processesOf(started.processGroups, started.dir);
    }
    assert.deepEqual(left, []);
  });
});
