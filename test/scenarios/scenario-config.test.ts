// `scenarios:` is read from the same file, the same way, as the rest of vigil.yaml (readConfigFile):
// a literal secret is refused naming its path, a YAML error names line and column, and a broken suite
// elsewhere in the file does not stop the scenarios.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findConfigFile, readConfigFile } from '../../src/config/load-config.ts';
import { loadScenarioConfig } from '../../src/scenarios/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';

async function read(text: string, env: NodeJS.ProcessEnv = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-scenario-config-'));
  try {
    await writeFile(join(dir, 'vigil.yaml'), text);
    return loadScenarioConfig(await readConfigFile(findConfigFile({ cwd: dir, env: {} })!, env));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const action = (headers: string) => `scenarios:\n  actions:\n    drain:\n      http: { url: "http://127.0.0.1:9/drain", headers: { ${headers} } }\n`;

describe('scenarios: in vigil.yaml', () => {
  it('a literal token in an action is refused, naming the path; ${VAR} is filled and given to the redactor', async () => {
    await assert.rejects(read(action('Authorization: "Bearer abc123def"')), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /scenarios\.actions\.drain\.http\.headers\.Authorization: put secrets in the environment/);
      assert.ok(!err.message.includes('abc123def'));
      return true;
    });
    const { config, secrets } = await read(action('Authorization: "Bearer ${LB_TOKEN}"'), { LB_TOKEN: 'lb-token-42' });
    assert.equal(config.actions?.drain?.http?.headers.Authorization, 'Bearer lb-token-42');
    assert.deepEqual(secrets, ['lb-token-42']);
  });

  it('a YAML error names line and column; a broken suite elsewhere does not stop the scenarios', async () => {
    await assert.rejects(read('scenarios:\n  actions: [\n'), /vigil\.yaml:\d+:\d+: /);
    const { config } = await read(`suites:\n  shop: { path: "\${UNSET_SUITE_DIR}" }\n${action('X-Team: ops')}`);
    assert.equal(config.actions?.drain?.http?.headers['X-Team'], 'ops');
    await assert.rejects(
      read(`scenarios:\n  actions:\n    drain: { command: ["\${UNSET_VAR}"] }\n`),
      /scenarios\.actions\.drain\.command\[0\]: environment variable UNSET_VAR is not set/,
    );
  });

  it('scenarios.schedule: an entry without destructive: true, or without its environments, is refused, naming it; a bad cron and a bad opt-in too', async () => {
    const entry = (extra: string) => `scenarios:\n  schedule:\n    member-loss:\n      file: scenarios/member-loss.feature\n${extra}`;
    await assert.rejects(
      read(entry('      schedule: "*/5 * * * *"\n')),
      /scenarios\.schedule\.member-loss\.destructive: must be true: a scheduled scenario breaks something on purpose/,
    );
    await assert.rejects(
      read(entry('      schedule: "*/5 * * * *"\n      destructive: false\n')),
      /scenarios\.schedule\.member-loss\.destructive: must be true/,
    );
    await assert.rejects(
      read(entry('      schedule: "every 5m"\n      destructive: true\n')),
      /scenarios\.schedule\.member-loss\.schedule: "every 5m" is not a valid cron/,
    );
    await assert.rejects(
      read(entry('      schedule: "*/5 * * * *"\n      destructive: true\n')),
      /scenarios\.schedule\.member-loss\.environments: /,
      'the allow-list is required',
    );
    await assert.rejects(
      read(entry('      schedule: "*/5 * * * *"\n      destructive: true\n      environments: []\n')),
      /scenarios\.schedule\.member-loss\.environments: must name at least one environment this scenario acts on/,
    );
    await assert.rejects(
      read(entry('      schedule: "*/5 * * * *"\n      destructive: true\n      environments: [production]\n      production: yes\n')),
      /scenarios\.schedule\.member-loss\.production: is the opt-in to run on a production environment/,
    );
    const { config } = await read(entry('      schedule: "*/5 * * * *"\n      destructive: true\n      environments: [staging]\n'));
    assert.deepEqual(config.schedule, {
      'member-loss': { file: 'scenarios/member-loss.feature', schedule: '*/5 * * * *', destructive: true, environments: ['staging'] },
    });
  });
});
