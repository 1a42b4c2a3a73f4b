// Each kind of mistake gives one error line that names where it is and what to do.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { createWorkspace, validConfig, validEnv, type Workspace } from './workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.remove());

async function problemsOf(config: unknown, env: NodeJS.ProcessEnv = validEnv): Promise<string[]> {
  ws.writeConfig(config);
  try {
    await loadConfig({ cwd: ws.dir, env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the config loaded although it is invalid');
}

describe('config errors', () => {
  test('YAML syntax error gives file, line and column', async () => {
    ws.writeConfig('environments:\n  staging:\n    baseURL: https://x.example.com: 8080\n    tenants: shop\n');
    await assert.rejects(loadConfig({ cwd: ws.dir, env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0], './vigil.yaml:3:14: Nested mappings are not allowed in compact mappings');
      return true;
    });
  });

  test('duplicate keys are a syntax error, not a silent override', async () => {
    ws.writeConfig('store: a.db\nstore: b.db\n');
    await assert.rejects(loadConfig({ cwd: ws.dir, env: {} }), { message: /^\.\/vigil\.yaml:2:1: Map keys must be unique/ });
  });

  test('maintenance: a window names a suite, "*", or "scenario:<name>" of a scheduled scenario; anything else is named', async () => {
    const input: ReturnType<typeof validConfig> & Record<string, unknown> = validConfig();
    input.scenarios = {
      schedule: { 'member-loss': { file: 'member-loss.feature', schedule: '0 * * * *', destructive: true, environments: ['staging'] } },
    };
    const window = (suite: string) => ({ suite, environment: 'staging', schedule: '0 2 * * 0', duration: '2h' });
    input.maintenance = [window('scenario:member-loss'), window('*'), window('checkout'), window('scenario:drain'), window('chekout')];
    const problems = await problemsOf(input);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.equal(
      problems[0],
      'maintenance[3].suite: no scheduled scenario "drain" (scenarios.schedule: member-loss); "scenario:<name>" holds a scheduled scenario',
    );
    assert.match(problems[1], /^maintenance\[4\]\.suite: .*chekout/);
  });

  test('an unknown key is named with a suggestion', async () => {
    const input = validConfig();
    input.suites.checkout.retires = 2;
    assert.deepEqual(await problemsOf(input), ["suites.checkout.retires: unknown key — did you mean 'retries'?"]);
  });

  test('locations: a bad name, a location listed twice, a threshold it could never reach, options without locations', async () => {
    const input = validConfig();
    input.suites.checkout.locations = ['eu-west', 'EU West', 'eu-west'];
    input.suites.checkout.minFailedLocations = 4;
    assert.deepEqual(await problemsOf(input), [
      'suites.checkout.locations[1]: location name "EU West" must use lowercase letters, digits, "-" and "_", starting with a letter or digit',
      'suites.checkout.locations: lists "eu-west" more than once',
      'suites.checkout.minFailedLocations: is 4, but the suite runs from 3 location(s): it could never be CRITICAL',
    ]);
    delete input.suites.checkout.locations;
    input.suites.checkout.minFailedLocations = 1;
    assert.deepEqual(await problemsOf(input), ['suites.checkout.minFailedLocations: only means something with locations: [...]']);
  });

  test('an unknown key with nothing close is still named', async () => {
    assert.deepEqual(await problemsOf({ ...validConfig(), notifications: {}, zzz: 1 }), ['notifications: unknown key', 'zzz: unknown key']);
  });

  test('an invalid cron expression', async () => {
    const input = validConfig();
    input.suites.checkout.schedule = '*/5 * *';
    assert.deepEqual(await problemsOf(input), ['suites.checkout.schedule: "*/5 * *" is not a valid cron expression (e.g. "*/5 * * * *")']);
  });

  test('a missing environment variable names the variable and where it is used', async () => {
    assert.deepEqual(await problemsOf(validConfig(), {}), ['tenants.shop.create.headers.authorization: environment variable SHOP_ADMIN_TOKEN is not set']);
  });

  test('a missing variable is reported once, not again as the empty value it left behind', async () => {
    const input = validConfig();
    input.environments.production.baseURL = '${PROD_URL}';
    assert.deepEqual(await problemsOf(input), ['environments.production.baseURL: environment variable PROD_URL is not set']);
  });

  test('a malformed reference is reported instead of passed through', async () => {
    const input = validConfig();
    input.suites.checkout.env = { A: 'x ${not closed' };
    assert.deepEqual(await problemsOf(input), [
      'suites.checkout.env.A: "${not closed" is not a valid reference (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)',
    ]);
  });

  test('a suite on an undefined environment', async () => {
    const input = validConfig();
    input.suites.checkout.environments = ['staging', 'prod'];
    assert.deepEqual(await problemsOf(input), [
      `suites.checkout.environments[1]: environment "prod" is not defined under environments — did you mean 'production'?`,
    ]);
  });

  test('a per-environment grep for an undefined environment', async () => {
    const input = validConfig();
    input.suites.checkout.grepInvert = { qa: '@payments' };
    assert.deepEqual(await problemsOf(input), [
      'suites.checkout.grepInvert.qa: environment "qa" is not defined under environments (defined: staging, production)',
    ]);
  });

  test('an environment using an undefined provisioner', async () => {
    const input = validConfig();
    input.environments.production.tenants = 'shp';
    assert.deepEqual(await problemsOf(input), [`environments.production.tenants: provisioner "shp" is not defined under tenants — did you mean 'shop'?`]);
  });

  test('a duration that is not one', async () => {
    const input = validConfig();
    input.suites.checkout.timeout = '10 minutes';
    assert.deepEqual(await problemsOf(input), [
      'suites.checkout.timeout: "10 minutes" is not a duration (use e.g. "90s", "10m", "2h", "1h30m" or milliseconds)',
    ]);
  });

  test('a suite path that does not exist, or holds no Playwright config', async () => {
    const input = validConfig();
    input.suites.checkout.path = 'suites/gone';
    assert.deepEqual(await problemsOf(input), [`suites.checkout.path: folder ${ws.dir}/suites/gone not found`]);

    ws.write('suites/bare/tests/a.spec.ts', '');
    input.suites.checkout.path = 'suites/bare';
    assert.deepEqual(await problemsOf(input), [
      `suites.checkout.path: no playwright.config.{ts,js,mjs,cjs,mts,cts} in ${ws.dir}/suites/bare (name the file with suites.checkout.config)`,
    ]);

    input.suites.checkout.config = 'pw.config.mjs';
    ws.write('suites/bare/pw.config.mjs', 'export default {};\n');
    ws.writeConfig(input);
    await loadConfig({ cwd: ws.dir, env: validEnv });
  });

  test('a module provisioner whose file does not exist', async () => {
    const input = validConfig();
    input.tenants.mod = { kind: 'module', module: './tenants/missing.ts' };
    assert.deepEqual(await problemsOf(input), [`tenants.mod.module: file ${ws.dir}/tenants/missing.ts not found`]);
  });

  test('a literal secret in the YAML is refused with a hint', async () => {
    const input = validConfig();
    input.tenants.shop = {
      ...(input.tenants.shop as object),
      create: { url: '{{environment.baseURL}}/admin/tenants', headers: { Authorization: 'Bearer abc123' } },
    };
    input.tenants.mod = { kind: 'module', module: './tenants/demo-module.ts', options: { adminPassword: 'hunter22' } };
    assert.deepEqual(await problemsOf(input), [
      'tenants.shop.create.headers.Authorization: put secrets in the environment, e.g. "Bearer ${SHOP_TOKEN}"',
      'tenants.mod.options.adminPassword: put secrets in the environment, e.g. "${MOD_ADMIN_PASSWORD}"',
    ]);
  });

  test('the hint names a variable after what holds the secret; Vigil’s own settings get VIGIL_<path>', async () => {
    const input: Record<string, unknown> = validConfig();
    const environments = input.environments as Record<string, Record<string, unknown>>;
    environments.production.env = { DB_PASSWORD: 'pw-literal' };
    (input.suites as Record<string, Record<string, unknown>>).checkout.env = { stripeApiKey: 'sk-literal' };
    // A name starting with a digit cannot start a variable name.
    environments['2nd'] = { ...environments.production, env: { password: 'pw-literal' } };
    input.api = { token: 'tok-literal' };
    assert.deepEqual(await problemsOf(input), [
      'environments.production.env.DB_PASSWORD: put secrets in the environment, e.g. "${PRODUCTION_DB_PASSWORD}"',
      'environments.2nd.env.password: put secrets in the environment, e.g. "${VIGIL_2ND_PASSWORD}"',
      'suites.checkout.env.stripeApiKey: put secrets in the environment, e.g. "${CHECKOUT_STRIPE_API_KEY}"',
      'api.token: put secrets in the environment, e.g. "${VIGIL_API_TOKEN}"',
    ]);
  });

  test('run-time templates and tenant field paths are not mistaken for literal secrets', async () => {
    const input = validConfig();
    input.tenants.shop = {
      ...(input.tenants.shop as object),
      delete: {
        url: '{{environment.baseURL}}/admin/tenants/{{tenant.id}}',
        headers: { cookie: 'session={{tenant.session}}', 'x-api-key': '${SHOP_ADMIN_TOKEN}' },
        body: { password: '{{tenant.password}}' },
      },
    };
    ws.writeConfig(input);
    const { config } = await loadConfig({ cwd: ws.dir, env: validEnv });
    assert.equal(config.tenants.shop.kind === 'http' && config.tenants.shop.fields.password, 'owner.password');
  });

  test('fields of another kind are unknown keys, and the kind’s own are required', async () => {
    const input = validConfig();
    input.tenants.script = {
      kind: 'command',
      create: { url: 'http://127.0.0.1/admin/tenants' },
      delete: { command: ['node', 'delete.ts'] },
    };
    assert.deepEqual(await problemsOf(input), ['tenants.script.create.command: is required', 'tenants.script.create.url: unknown key']);
  });

  test('an unknown or missing provisioner kind lists the kinds', async () => {
    const input = validConfig();
    input.tenants.a = { kind: 'shell', create: {} };
    input.tenants.b = { module: 'x.ts' };
    assert.deepEqual(await problemsOf(input), [
      'tenants.a.kind: must be one of http, command, module, got "shell"',
      'tenants.b.kind: is required (one of http, command, module)',
    ]);
  });

  test('command must be a list of arguments, not a shell string', async () => {
    const input = validConfig();
    input.tenants.script = { kind: 'command', create: { command: 'node create.ts' }, delete: { command: [] } };
    assert.deepEqual(await problemsOf(input), [
      'tenants.script.create.command: expected a list, got string "node create.ts"',
      'tenants.script.delete.command: must name a program, e.g. ["node", "tenants/create.ts"]',
    ]);
  });

  test('names, prefix and baseURL are checked', async () => {
    const input = validConfig();
    (input.environments as Record<string, unknown>).Staging = { baseURL: '{{env.URL}}', tenants: 'shop' };
    input.environments.production.baseURL = 'ftp://shop.example.com';
    (input.tenants.shop as Record<string, unknown>).prefix = 'Vigil_';
    assert.deepEqual(await problemsOf(input), [
      'environments.production.baseURL: "ftp://shop.example.com" is not an http(s) URL',
      'environments.Staging: environment name "Staging" must use lowercase letters, digits, "-" and "_", starting with a letter or digit',
      'tenants.shop.prefix: must use lowercase letters, digits and dashes only',
    ]);
  });

  test('several problems are reported together in one error', async () => {
    const input = validConfig();
    input.suites.checkout.schedule = 'every 5 minutes';
    input.suites.checkout.timeout = 'soon';
    input.suites.checkout.retires = 1;
    (input.tenants.shop as Record<string, unknown>).ttl = 'forever';
    const problems = await problemsOf(input, {});
    assert.deepEqual(problems, [
      'tenants.shop.create.headers.authorization: environment variable SHOP_ADMIN_TOKEN is not set',
      'tenants.shop.ttl: "forever" is not a duration (use e.g. "90s", "10m", "2h", "1h30m" or milliseconds)',
      'suites.checkout.schedule: "every 5 minutes" is not a valid cron expression (e.g. "*/5 * * * *")',
      'suites.checkout.timeout: "soon" is not a duration (use e.g. "90s", "10m", "2h", "1h30m" or milliseconds)',
      "suites.checkout.retires: unknown key — did you mean 'retries'?",
    ]);
  });

  test('the error message starts with the file and lists every problem on its own line', async () => {
    const input = validConfig();
    input.suites.checkout.timeout = 'soon';
    input.suites.checkout.retires = 1;
    ws.writeConfig(input);
    await assert.rejects(loadConfig({ cwd: ws.dir, env: validEnv }), {
      message:
        './vigil.yaml: suites.checkout.timeout: "soon" is not a duration (use e.g. "90s", "10m", "2h", "1h30m" or milliseconds)\n' +
        "suites.checkout.retires: unknown key — did you mean 'retries'?",
    });
  });

  test('an empty file or a file that is not a map', async () => {
    assert.deepEqual(await problemsOf(''), ['the config is empty']);
    ws.writeConfig('- a\n- b\n');
    await assert.rejects(loadConfig({ cwd: ws.dir, env: {} }), {
      message: './vigil.yaml: the top level must be a map of settings (store, environments, tenants, suites)',
    });
  });
});
