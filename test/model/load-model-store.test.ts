// The store that `vigil scenario run`, `vigil gate --scenario` and `vigil model check` open comes from the
// model loader: a postgres:// URL must stay a URL (resolved as a path, it named a SQLite file under the
// config's folder, and a scenario run's ledger rows went there instead of the replicas' store).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/model/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const MODEL = 'model:\n  sources: { nagios: { statusFile: ./status.dat } }\n  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]\n';

describe("the model loader's store", () => {
  it('keeps a postgres:// URL, resolves a file against the config, refuses another URL naming where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-model-store-'));
    try {
      const config = join(dir, 'vigil.yaml');
      await writeFile(config, `store: "\${VIGIL_DATABASE_URL}"\n${MODEL}`);
      const url = 'postgres://vigil@127.0.0.1:5999/vigil';
      assert.equal((await loadModel({ config, env: { VIGIL_DATABASE_URL: url } })).storePath, url);
      await writeFile(config, `store: ./data/v.db\n${MODEL}`);
      assert.equal((await loadModel({ config, env: {} })).storePath, join(dir, 'data/v.db'));
      await writeFile(config, `store: "redis://127.0.0.1/0"\n${MODEL}`);
      await assert.rejects(loadModel({ config, env: {} }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /vigil\.yaml: store: "redis:\/\/…" is not a store Vigil can use/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
