import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, findConfigFile, describeConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { createWorkspace, validConfig, validEnv, type Workspace } from './workspace.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.remove());

describe('loadConfig', () => {
  test('takes files, use and syntheticHeader per suite and environment, and env.map per provisioner; refuses what would silently lose', async () => {
    const config = validConfig();
    Object.assign(config.suites.checkout, { files: { production: ['tests/smoke'] }, use: { video: 'off' }, syntheticHeader: true });
    Object.assign(config.environments.staging, { use: { ignoreHTTPSErrors: true } });
    (config.tenants.shop as Record<string, unknown>).env = { map: { E2E_USER: 'email' } };
    ws.writeConfig(config);
    const loaded = (await loadConfig({ cwd: ws.dir, env: validEnv })).config;
    assert.deepEqual(loaded.suites.checkout.files, { production: ['tests/smoke'] });
    assert.deepEqual(loaded.suites.checkout.use, { video: 'off' });
    assert.equal(loaded.suites.checkout.syntheticHeader, true);
    assert.deepEqual(loaded.environments.staging.use, { ignoreHTTPSErrors: true });
    assert.deepEqual(loaded.tenants.shop.env.map, { E2E_USER: 'email' });

    Object.assign(config.suites.checkout, { files: '--headed', use: { baseURL: 'http://x', launchOptions: {} } });
    (config.tenants.shop as Record<string, unknown>).env = { map: { 'E2E-USER': 'email' } };
    ws.writeConfig(config);
    await assert.rejects(loadConfig({ cwd: ws.dir, env: validEnv }), (err: ConfigError) => {
      const text = err.problems.join('\n');
      assert.match(text, /suites\.checkout\.files: "--headed" would be read as a Playwright option/);
      assert.match(text, /suites\.checkout\.use\.baseURL: comes from environments\.<name>\.baseURL/);
      assert.match(text, /suites\.checkout\.use\.launchOptions: set the browser binary/);
      assert.match(text, /tenants\.shop\.env\.map.*"E2E-USER" is not an environment variable name/);
      return true;
    });
  });

  test('accepts a service model under model: (inline or a file path) and names a bad one by its path', async () => {
    const model = { sources: { nagios: { statusFile: '/var/lib/nagios4/status.dat' } }, nodes: [{ name: 'shop', checks: [{ nagios: { host: 'lb' } }] }] };
    ws.writeConfig({ ...validConfig(), model });
    const { config } = await loadConfig({ cwd: ws.dir, env: validEnv });
    assert.deepEqual(typeof config.model === 'object' && config.model.nodes.map((n) => n.name), ['shop']);
    ws.writeConfig({ ...validConfig(), model: 'model.yaml' });
    assert.equal((await loadConfig({ cwd: ws.dir, env: validEnv })).config.model, 'model.yaml');
    ws.writeConfig({ ...validConfig(), model: { nodes: [{ name: 'shop', checks: [{}] }] } });
    await assert.rejects(loadConfig({ cwd: ws.dir, env: validEnv }), (err: ConfigError) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /model\.nodes\[0\]\.checks\[0\]: a check needs exactly one source/);
      return true;
    });
  });

  test('loads vigil.example.yaml with its variables set, durations in ms and defaults filled', async () => {
    copyFileSync(join(repoRoot, 'vigil.example.yaml'), join(ws.dir, 'vigil.yaml'));
    const { config, file, secrets } = await loadConfig({ cwd: ws.dir, env: { SHOP_ADMIN_TOKEN: 'shop-admin-secret' } });

    assert.equal(file, join(ws.dir, 'vigil.yaml'));
    assert.deepEqual(Object.keys(config.environments), ['staging', 'production']);
    assert.equal(config.environments.staging.baseURL, 'https://staging.shop.example.com');
    assert.equal(config.suites.checkout.timeout, 600_000);
    assert.deepEqual(config.suites.checkout.grepInvert, { production: '@payments' });
    assert.equal(config.artifacts.maxAge, 7 * 86_400_000);
    const shop = config.tenants.shop;
    assert.equal(shop.kind, 'http');
    assert.equal(shop.ttl, 7_200_000);
    assert.equal(shop.kind === 'http' && shop.create.headers.authorization, 'Bearer shop-admin-secret');
    assert.equal(config.tenants['shop-module'].kind === 'module' && config.tenants['shop-module'].module, join(ws.dir, 'tenants/demo-module.ts'));
    assert.deepEqual(secrets, ['shop-admin-secret']);
  });

  test("vigil.example.yaml also loads in place, against the repository's suites/demo and tenants/", async () => {
    const file = join(repoRoot, 'vigil.example.yaml');
    const { config } = await loadConfig({ file, env: { SHOP_ADMIN_TOKEN: 'shop-admin-secret' } });
    assert.equal(config.suites.checkout.path, join(repoRoot, 'suites/demo'));
    const script = config.tenants['shop-script'];
    assert.equal(script.kind === 'command' && script.create.cwd, repoRoot);
    assert.deepEqual(script.kind === 'command' && script.delete.env, { DEMO_ADMIN_TOKEN: 'shop-admin-secret' });
  });

  test('fills defaults for everything optional', async () => {
    ws.writeConfig(validConfig());
    const { config } = await loadConfig({ cwd: ws.dir, env: validEnv });
    assert.equal(config.store, join(ws.dir, 'data/vigil.db'));
    assert.deepEqual(config.artifacts, { dir: join(ws.dir, 'data/artifacts'), keep: 50, maxAge: 604_800_000 });
    const shop = config.tenants.shop;
    assert.equal(shop.prefix, 'vigil');
    assert.equal(shop.timeout, 30_000);
    assert.deepEqual(shop.env, { json: 'VIGIL_TENANT_JSON', prefix: 'VIGIL_TENANT_', map: {} });
    assert.equal(shop.kind === 'http' && shop.create.method, 'POST');
    assert.equal(shop.kind === 'http' && shop.delete.method, 'DELETE');
    assert.equal(config.suites.checkout.keepReporters, false);
  });

  test('accepts each provisioner kind with its own optional fields and list', async () => {
    const input = validConfig();
    input.tenants.script = {
      kind: 'command',
      create: { command: ['node', 'create.ts'], env: { PLAN: 'trial' } },
      fields: { id: 'tenant.id', password: 'tenant.password' },
      delete: { command: ['node', 'delete.ts'] },
      list: { command: ['node', 'list.ts'], fields: { id: 'key', name: 'label' } },
    };
    input.tenants.mod = { kind: 'module', module: 'tenants/demo-module.ts', options: { plan: 'trial' } };
    input.tenants.api = {
      kind: 'http',
      create: { method: 'put', url: '{{environment.baseURL}}/t' },
      fields: { id: 'id' },
      delete: { url: '{{environment.baseURL}}/t/{{tenant.id}}' },
      list: { url: '{{environment.baseURL}}/t' },
    };
    ws.writeConfig(input);
    const { config } = await loadConfig({ cwd: ws.dir, env: validEnv });
    const { script, mod, api } = config.tenants;
    assert.equal(script.kind === 'command' && script.list?.fields?.name, 'label');
    assert.deepEqual(mod.kind === 'module' && mod.options, { plan: 'trial' });
    assert.equal(api.kind === 'http' && api.create.method, 'PUT');
    assert.equal(api.kind === 'http' && api.list?.method, 'GET');
  });

  test('accepts durations as 90s, 1h30m or plain milliseconds', async () => {
    const input = validConfig();
    input.suites.checkout.timeout = '1h30m';
    (input.tenants.shop as Record<string, unknown>).ttl = 5000;
    (input.tenants.shop as Record<string, unknown>).timeout = '90s';
    ws.writeConfig(input);
    const { config } = await loadConfig({ cwd: ws.dir, env: validEnv });
    assert.equal(config.suites.checkout.timeout, 5_400_000);
    assert.equal(config.tenants.shop.ttl, 5000);
    assert.equal(config.tenants.shop.timeout, 90_000);
  });

  test('resolves relative paths against the config file folder, not the working directory', async () => {
    const input = {
      ...validConfig(),
      store: 'state/vigil.db',
      artifacts: { dir: '../artifacts' },
    };
    input.tenants.script = {
      kind: 'command',
      create: { command: ['node', 'create.ts'] },
      delete: { command: ['node', 'delete.ts'], cwd: '../tenants' },
    };
    input.suites.checkout.path = '../suites/demo';
    mkdirSync(join(ws.dir, 'elsewhere'));
    const file = ws.writeConfig(input, 'conf/vigil.yaml');

    const { config } = await loadConfig({ file: '../conf/vigil.yaml', cwd: join(ws.dir, 'elsewhere'), env: validEnv });

    assert.equal(config.store, join(ws.dir, 'conf/state/vigil.db'));
    assert.equal(config.artifacts.dir, join(ws.dir, 'artifacts'));
    assert.equal(config.suites.checkout.path, join(ws.dir, 'suites/demo'));
    const script = config.tenants.script;
    assert.equal(script.kind, 'command');
    assert.equal(script.kind === 'command' && script.create.cwd, join(ws.dir, 'conf'));
    assert.equal(script.kind === 'command' && script.delete.cwd, join(ws.dir, 'tenants'));
    assert.equal((await loadConfig({ file, env: validEnv })).file, file);
  });

  test('${VAR:-default} uses the default when unset or empty, $${ is a literal ${, {{…}} is left for run time', async () => {
    const input = validConfig();
    input.environments.staging.baseURL = '${STAGING_URL:-https://fallback.example.com}';
    input.environments.production.baseURL = '${PROD_URL:-https://unused.example.com}';
    input.suites.checkout.env = { LITERAL: 'cost $${PRICE} for {{tenant.name}}', EMPTY: '${EMPTY_VAR:-was empty}' };
    ws.writeConfig(input);

    const { config, secrets } = await loadConfig({
      cwd: ws.dir,
      env: { ...validEnv, PROD_URL: 'https://prod.example.com', EMPTY_VAR: '' },
    });

    assert.equal(config.environments.staging.baseURL, 'https://fallback.example.com');
    assert.equal(config.environments.production.baseURL, 'https://prod.example.com');
    assert.deepEqual(config.suites.checkout.env, { LITERAL: 'cost ${PRICE} for {{tenant.name}}', EMPTY: 'was empty' });
    // Defaults are written in the file, so they are not secrets; values from the environment are.
    assert.deepEqual(secrets.sort(), ['admin-token-123456', 'https://prod.example.com']);
  });

  test('chooses --config, then $VIGIL_CONFIG, then ./vigil.yaml', () => {
    ws.writeConfig(validConfig());
    ws.writeConfig(validConfig(), 'from-env.yaml');
    const env = { VIGIL_CONFIG: 'from-env.yaml' };
    assert.equal(findConfigFile({ file: 'given.yaml', env, cwd: ws.dir })?.file, join(ws.dir, 'given.yaml'));
    assert.equal(findConfigFile({ env, cwd: ws.dir })?.file, join(ws.dir, 'from-env.yaml'));
    assert.equal(findConfigFile({ env: {}, cwd: ws.dir })?.file, join(ws.dir, 'vigil.yaml'));
    assert.equal(findConfigFile({ env: {}, cwd: join(ws.dir, 'suites') }), null);
  });

  test('without any config file it returns file null: the demo setup when given, else a config that runs nothing', async () => {
    const empty = join(ws.dir, 'suites');
    const demoInput = validConfig();
    ws.writeConfig(demoInput, 'other.yaml');
    const demo = await loadConfig({ file: join(ws.dir, 'other.yaml'), env: validEnv });

    const loaded = await loadConfig({ cwd: empty, env: {}, demo: () => ({ config: demo.config, secrets: ['demo-admin-token'] }) });
    assert.equal(loaded.file, null);
    assert.equal(loaded.config, demo.config);
    assert.deepEqual(loaded.secrets, ['demo-admin-token']);

    const bare = await loadConfig({ cwd: empty, env: {} });
    assert.equal(bare.file, null);
    assert.deepEqual([bare.config.environments, bare.config.tenants, bare.config.suites, bare.secrets], [{}, {}, {}, []]);
  });

  test('a named file that does not exist is an error naming it and where the name came from', async () => {
    await assert.rejects(loadConfig({ file: './x.yaml', cwd: ws.dir, env: {} }), {
      name: 'ConfigError',
      message: 'config file ./x.yaml not found',
    });
    await assert.rejects(loadConfig({ cwd: ws.dir, env: { VIGIL_CONFIG: 'gone.yaml' } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'config file gone.yaml (from $VIGIL_CONFIG) not found');
      return true;
    });
  });
});

describe('describeConfig', () => {
  test('summarises file, store, environments and suites without printing any secret value', async () => {
    const input = validConfig();
    input.suites.checkout.env = { TOKEN_ECHO: '${SHOP_ADMIN_TOKEN}' };
    input.tenants.script = {
      kind: 'command',
      create: { command: ['node', 'create.ts', '--token', '${SHOP_ADMIN_TOKEN}'] },
      delete: { command: ['node', 'delete.ts'] },
    };
    ws.writeConfig(input);
    const loaded = await loadConfig({ cwd: ws.dir, env: validEnv });

    const text = describeConfig(loaded);

    assert.match(text, new RegExp(`^config: ${join(ws.dir, 'vigil.yaml')}$`, 'm'));
    assert.match(text, new RegExp(`^store: ${join(ws.dir, 'data/vigil.db')}$`, 'm'));
    assert.match(text, /^ {2}production: https:\/\/shop\.example\.com, tenants from shop$/m);
    assert.match(text, new RegExp(`^ {2}checkout: ${join(ws.dir, 'suites/demo')}$`, 'm'));
    assert.match(text, /^ {4}environments: staging, production$/m);
    assert.match(text, /^ {4}schedule: \*\/5 \* \* \* \*$/m);
    assert.match(text, /^ {4}timeout: 10m, retries: 1$/m);
    assert.match(text, /^ {4}grepInvert on production: @payments$/m);
    assert.match(text, /^ {2}script: command \(node create\.ts --token \*\*\*\)/m);
    assert.doesNotMatch(text, /admin-token-123456/);
  });
});
