// The layers of docs/architecture.md are a rule the build enforces, not prose: dependency-cruiser
// checks src/ against .dependency-cruiser.cjs, and the same rules are shown to catch a reach-back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/vigil-cli.ts';

const exec = promisify(execFile);
const depcruise = path.join(repoRoot, 'node_modules/.bin/depcruise');
const rules = path.join(repoRoot, '.dependency-cruiser.cjs');

async function cruise(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(depcruise, ['src', '--config', rules, '--output-type', 'err'], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('layers', () => {
  test('src/ imports only downwards, with no cycle', async () => {
    const r = await cruise(repoRoot);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /no dependency violations found/);
  });

  test('the rules catch a reach-back, a cycle and an unknown folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-layers-'));
    try {
      const file = async (name: string, text: string) => {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), text);
      };
      await file('src/runs/orchestrator.ts', "import { x } from '../core/index.ts';\nexport const run = x;\n");
      await file('src/core/index.ts', "import { run } from '../runs/orchestrator.ts';\nexport const x = 1;\nexport const y = run;\n");
      await file('src/config/schema.ts', "import { send } from '../exporters/nsca.ts';\nexport const s = send;\n");
      await file('src/exporters/nsca.ts', 'export const send = 1;\n');
      await file('src/misc/thing.ts', "import { x } from '../core/index.ts';\nexport const t = x;\n");
      const r = await cruise(dir);
      assert.notEqual(r.code, 0);
      assert.match(r.output, /layer-core: src\/core\/index\.ts → src\/runs\/orchestrator\.ts/);
      assert.match(r.output, /layer-config: src\/config\/schema\.ts → src\/exporters\/nsca\.ts/);
      assert.match(r.output, /no-circular/);
      assert.match(r.output, /no-unknown-folder: src\/misc\/thing\.ts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
