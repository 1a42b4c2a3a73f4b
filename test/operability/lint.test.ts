// The formatter and linter are part of `npm test`: `biome ci` over what biome.jsonc includes (src/,
// test/, bench/, demo/, tenants/) fails on a file not formatted as Biome formats it or on a lint error.
// The same config is shown to catch both.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/vigil-cli.ts';

const exec = promisify(execFile);
const biome = path.join(repoRoot, 'node_modules/.bin/biome');

async function ci(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(biome, ['ci', '--colors=off', '--error-on-warnings', '--max-diagnostics=50', '.'], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('format and lint (Biome)', () => {
  test('the tree is formatted and lint-clean (fix with: npx biome check --write .)', async () => {
    const r = await ci(repoRoot);
    assert.equal(r.code, 0, r.output);
  });

  test('the config catches a file not formatted as Biome would, and a lint error, in src/ but not in test/fixtures/', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-lint-'));
    try {
      // The repository's config, without its schema path and git ignore file (not there in a temp dir).
      const config = (await readFile(path.join(repoRoot, 'biome.jsonc'), 'utf8'))
        .replace(/ *"\$schema": "[^"]*",\n/, '')
        .replace('"vcs": { "enabled": true, "clientKind": "git", "useIgnoreFile": true }', '"vcs": { "enabled": false }');
      await writeFile(path.join(dir, 'biome.jsonc'), config);
      for (const folder of ['src', 'test/fixtures']) await mkdir(path.join(dir, folder), { recursive: true });
      await writeFile(path.join(dir, 'src/ok.ts'), "export const ok = 'formatted';\n");
      assert.equal((await ci(dir)).code, 0, 'a formatted, clean file passes');
      await writeFile(path.join(dir, 'test/fixtures/spec.ts'), 'export const   left = "as a suite wrote it"\n');
      assert.equal((await ci(dir)).code, 0, 'fixtures are left as they are');
      await writeFile(path.join(dir, 'src/badly-formatted.ts'), 'export const x = {a:1}\n');
      await writeFile(path.join(dir, 'src/lint-error.ts'), 'export const escape = (text: string): string => text;\n');
      const r = await ci(dir);
      assert.notEqual(r.code, 0);
      assert.match(r.output, /src\/badly-formatted\.ts format/);
      assert.match(r.output, /src\/lint-error\.ts:1:\d+ lint\/suspicious\/noShadowRestrictedNames/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
