import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoConfig, describeConfig, loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.remove());

const options = () => ({
  baseURL: 'http://127.0.0.1:41234',
  adminToken: 'demo-admin-token-xyz',
  dataDir: join(ws.dir, 'data'),
  repoRoot: ws.dir,
});

describe('demoConfig', () => {
  test('describes the demo app, its admin API provisioner and the example suite, validated like a file', () => {
    const config = demoConfig(options());

    assert.equal(config.store, join(ws.dir, 'data/vigil.db'));
    assert.equal(config.artifacts.dir, join(ws.dir, 'data/artifacts'));
    assert.deepEqual(config.environments, { demo: { baseURL: 'http://127.0.0.1:41234', tenants: 'demo' } });
    const demo = config.tenants.demo;
    assert.equal(demo.kind, 'http');
    if (demo.kind !== 'http') return;
    assert.equal(demo.prefix, 'vigil');
    assert.deepEqual(demo.create, {
      method: 'POST',
      url: '{{environment.baseURL}}/admin/tenants',
      headers: { authorization: 'Bearer demo-admin-token-xyz' },
      body: { name: '{{tenant.name}}' },
    });
    assert.deepEqual(demo.fields, { id: 'id', email: 'owner.email', password: 'owner.password' });
    assert.equal(demo.delete.url, '{{environment.baseURL}}/admin/tenants/{{tenant.id}}');
    assert.equal(demo.list?.items, 'tenants');
    assert.deepEqual(demo.list?.fields, { id: 'id', name: 'name', createdAt: 'createdAt' });
    const suite = config.suites.demo;
    assert.equal(suite.path, join(ws.dir, 'suites/demo'));
    assert.deepEqual(suite.environments, ['demo']);
    assert.equal(suite.schedule, '*/5 * * * *');
    assert.equal(suite.timeout, 300_000);
    assert.equal(suite.retries, 1);
    assert.equal(suite.grepInvert, undefined);
  });

  test('fails like a bad file would when the suite folder is missing or the URL is wrong', () => {
    assert.throws(
      () => demoConfig({ ...options(), repoRoot: join(ws.dir, 'nowhere') }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [`suites.demo.path: folder ${ws.dir}/nowhere/suites/demo not found`]);
        return true;
      },
    );
    assert.throws(() => demoConfig({ ...options(), baseURL: 'localhost:3000' }), {
      message: 'bundled demo config: environments.demo.baseURL: "localhost:3000" is not an http(s) URL',
    });
  });

  test('is what loadConfig returns without a config file, and config check masks its token', async () => {
    const loaded = await loadConfig({
      cwd: join(ws.dir, 'suites'),
      env: {},
      demo: () => ({ config: demoConfig(options()), secrets: [options().adminToken] }),
    });
    assert.equal(loaded.file, null);
    const text = describeConfig(loaded);
    assert.match(text, /^config: bundled demo setup \(no config file\)$/m);
    assert.match(text, /^ {2}demo: http:\/\/127\.0\.0\.1:41234, tenants from demo$/m);
    assert.doesNotMatch(text, /demo-admin-token-xyz/);
  });
});
