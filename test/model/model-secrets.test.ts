// The model's source credentials follow vigil.yaml's rule: secrets come from the environment, never the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/model/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const source = (password: string) =>
  `sources:\n  icinga2: { url: "https://icinga:5665", user: vigil, password: ${JSON.stringify(password)} }\nnodes:\n  - name: shop\n    checks: [{ icinga2: { host: shop-lb } }]\n`;

describe('Icinga 2 password in the model', () => {
  it('a literal password is refused, inline or in a model file, naming where; ${VAR} is filled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-model-secrets-'));
    try {
      const inline = join(dir, 'inline.yaml');
      await writeFile(inline, `model:\n${source('hunter2').replace(/^/gm, '  ')}`);
      await assert.rejects(loadModel({ config: inline, env: {} }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /model\.sources\.icinga2\.password: put secrets in the environment/);
        assert.ok(!err.message.includes('hunter2'));
        return true;
      });
      await writeFile(join(dir, 'shop.yaml'), source('hunter2'));
      await writeFile(join(dir, 'by-file.yaml'), 'model: ./shop.yaml\n');
      await assert.rejects(loadModel({ config: join(dir, 'by-file.yaml'), env: {} }), /\.\/shop\.yaml: sources\.icinga2\.password: put secrets in the environment/);
      await writeFile(join(dir, 'shop.yaml'), source('${ICINGA2_PASSWORD}'));
      const { model } = await loadModel({ config: join(dir, 'by-file.yaml'), env: { ICINGA2_PASSWORD: 's3cret' } });
      assert.equal(model.sources.icinga2?.password, 's3cret');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
