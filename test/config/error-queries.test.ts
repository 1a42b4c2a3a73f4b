// errorQueries (issue 19): on an environment and on a suite, with defaults; a bad one is named by its path.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import type { ConfigError } from '../../src/shared/errors.ts';
import { errorQueriesFor } from '../../src/runs/error-checks.ts';
import { createWorkspace, validConfig, validEnv, type Workspace } from './workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.remove());

const query = 'sum(increase(http_requests_total{code=~"5.."}[{{window}}]))';

describe('errorQueries', () => {
  test('are read from environments and suites with their defaults; a suite query of the same name replaces the environment one', async () => {
    const config = validConfig();
    Object.assign(config.environments.staging, {
      errorQueries: [
        { name: 'http-5xx', prometheus: 'http://prometheus:9090', query },
        { name: 'gateway', prometheus: 'http://prometheus:9090', query: 'sum(gateway_errors)', above: 2, severity: 'critical' },
      ],
    });
    Object.assign(config.suites.checkout, { errorQueries: [{ name: 'http-5xx', prometheus: 'http://other:9090', query, job: 'shop', settle: '20s' }] });
    ws.writeConfig(config);
    const loaded = (await loadConfig({ cwd: ws.dir, env: validEnv })).config;
    assert.deepEqual(loaded.environments.staging.errorQueries?.[0], {
      name: 'http-5xx',
      prometheus: 'http://prometheus:9090',
      query,
      above: 0,
      severity: 'warning',
      settle: 60_000,
      timeout: 10_000,
    });
    const asked = errorQueriesFor(loaded, 'checkout', 'staging');
    assert.deepEqual(
      asked.map((q) => [q.name, q.prometheus, q.settle]),
      [
        ['gateway', 'http://prometheus:9090', 60_000],
        ['http-5xx', 'http://other:9090', 20_000],
      ],
    );
  });

  test('a bad query is named by its path', async () => {
    const config = validConfig();
    Object.assign(config.environments.staging, {
      errorQueries: [
        { name: 'Http 5xx', prometheus: 'prometheus:9090', query: 'x[{{windw}}]', severity: 'page' },
        { name: 'dup', prometheus: 'http://p:9090', query: 'x' },
        { name: 'dup', prometheus: 'http://p:9090', query: 'y', treshold: 1 },
      ],
    });
    ws.writeConfig(config);
    await assert.rejects(loadConfig({ cwd: ws.dir, env: validEnv }), (err: ConfigError) => {
      const text = err.problems.join('\n');
      assert.match(text, /environments\.staging\.errorQueries\[0\]\.name: "Http 5xx" must use lowercase/);
      assert.match(text, /environments\.staging\.errorQueries\[0\]\.prometheus:/);
      assert.match(text, /environments\.staging\.errorQueries\[0\]\.query: \{\{windw\}\} is not a placeholder here; only \{\{window\}\}/);
      assert.match(text, /environments\.staging\.errorQueries\[0\]\.severity: must be one of "warning", "critical", got "page"/);
      assert.match(text, /environments\.staging\.errorQueries\[2\]\.treshold: unknown key/);
      return true;
    });
    Object.assign(config.environments.staging, {
      errorQueries: [
        { name: 'dup', prometheus: 'http://p:9090', query: 'x' },
        { name: 'dup', prometheus: 'http://p:9090', query: 'y' },
      ],
    });
    ws.writeConfig(config);
    await assert.rejects(loadConfig({ cwd: ws.dir, env: validEnv }), /environments\.staging\.errorQueries\[1\]\.name: "dup" is used by another error query/);
  });
});
