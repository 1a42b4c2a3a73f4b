// The layers of docs/architecture.md are a rule the build enforces, not prose: dependency-cruiser
// checks src/, demo/, tenants/, test/ and bench/ against .dependency-cruiser.cjs, and the same rules
// are shown to catch a reach-back, a way out of src/, a command importing another, and the rest.
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

const CRUISED = ['src', 'demo', 'tenants', 'test', 'bench'];

async function cruise(cwd: string, folders = CRUISED): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(depcruise, [...folders, '--config', rules, '--output-type', 'err'], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('layers', () => {
  test('src/ imports only downwards, with no cycle; demo/, tenants/, test/ and bench/ keep their rules', async () => {
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
      const r = await cruise(dir, ['src']);
      assert.notEqual(r.code, 0);
      assert.match(r.output, /layer-core: src\/core\/index\.ts → src\/runs\/orchestrator\.ts/);
      assert.match(r.output, /layer-config: src\/config\/schema\.ts → src\/exporters\/nsca\.ts/);
      assert.match(r.output, /no-circular/);
      assert.match(r.output, /no-unknown-folder: src\/misc\/thing\.ts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('the rules catch a way out of src/, a command importing another, demo/ using Vigil, a spec imported', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-layers-'));
    try {
      const file = async (name: string, text: string) => {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), text);
      };
      await file('src/core/index.ts', 'export const x = 1;\n');
      await file('src/runs/orchestrator.ts', "import { app } from '../../demo/app.ts';\nexport const run = app;\n");
      await file('src/cli/context.ts', "export const load = () => import('../../demo/app.ts');\n");
      await file('src/cli/commands/gate.ts', "import { model } from './model.ts';\nexport const gate = model;\n");
      await file('src/cli/commands/model.ts', 'export const model = 1;\n');
      await file('demo/app.ts', "import { x } from '../src/core/index.ts';\nexport const app = x;\n");
      await file('test/helpers/thing.ts', "import { t } from '../a.test.ts';\nexport const h = t;\n");
      await file('test/a.test.ts', 'export const t = 1;\n');
      const r = await cruise(dir, ['src', 'demo', 'test']);
      assert.notEqual(r.code, 0);
      assert.match(r.output, /src-stays-in-src: src\/runs\/orchestrator\.ts → demo\/app\.ts/);
      assert.doesNotMatch(r.output, /src\/cli\/context\.ts → demo/, 'the CLI context may start the demo app');
      assert.match(r.output, /cli-commands-independent: src\/cli\/commands\/gate\.ts → src\/cli\/commands\/model\.ts/);
      assert.match(r.output, /demo-and-tenants-stand-alone: demo\/app\.ts → src\/core\/index\.ts/);
      assert.match(r.output, /specs-not-imported: test\/helpers\/thing\.ts → test\/a\.test\.ts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
