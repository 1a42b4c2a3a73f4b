// The `api` section as an operator writes it: defaults, durations, a token only from the environment
// (empty = disabled), and errors that name the path and say what to write instead.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { createWorkspace, validConfig, validEnv, type Workspace } from '../config/workspace.ts';
import { defaultConcurrency } from '../../src/shared/box-capacity.ts';

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.remove());

const load = (api: unknown, env: NodeJS.ProcessEnv = {}) => {
  ws.writeConfig({ ...validConfig(), ...(api === undefined ? {} : { api }) });
  return loadConfig({ cwd: ws.dir, env: { ...validEnv, ...env } });
};

async function problems(api: unknown, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await load(api, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('config: api section', () => {
  test('defaults: loopback, triggering off, concurrency from the box, 20 queued, reaper every 15 min, 30 s grace, 60 s lease', async () => {
    const { config } = await load(undefined);
    // concurrency: from the box's cores and memory (src/shared/box-capacity.ts, docs/running-playwright.md).
    assert.deepEqual(config.api, {
      listen: '127.0.0.1:9464',
      concurrency: defaultConcurrency(),
      memoryPerRun: 450,
      maxQueue: 20,
      jitter: 0,
      reapEvery: 900_000,
      grace: 30_000,
      lease: 60_000,
    });
  });

  test('durations parse; the token comes from the environment and is a secret; empty means disabled', async () => {
    const { config, secrets } = await load(
      { listen: '0.0.0.0:9464', token: '${VIGIL_API_TOKEN:-}', jitter: '20s', reapEvery: '5m', grace: '2m', timezone: 'Europe/Berlin', concurrency: 2 },
      { VIGIL_API_TOKEN: 'tok-abcdefgh' },
    );
    assert.equal(config.api.token, 'tok-abcdefgh');
    assert.ok(secrets.includes('tok-abcdefgh'));
    assert.equal(config.api.jitter, 20_000);
    assert.equal(config.api.reapEvery, 300_000);
    assert.equal(config.api.grace, 120_000);
    const off = await load({ token: '${VIGIL_API_TOKEN:-}' });
    assert.equal(off.config.api.token, undefined);
  });

  test('a literal token, an unknown zone, a bad listen address and a zero reap interval are refused by path', async () => {
    assert.deepEqual(await problems({ token: 'hunter2-literal' }), ['api.token: put secrets in the environment, e.g. "${VIGIL_API_TOKEN}"']);
    const p = await problems({ timezone: 'Mars/Base', listen: 'localhost', reapEvery: '0s', concurrency: 0 });
    assert.ok(
      p.some((x) => x.startsWith('api.timezone: "Mars/Base" is not a time zone')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.startsWith('api.listen: "localhost" is not host:port')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.startsWith('api.reapEvery: must be longer than 0')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.startsWith('api.concurrency:')),
      p.join('\n'),
    );
  });
});
