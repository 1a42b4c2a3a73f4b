import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProvisionError } from '../../src/shared/errors.ts';
import { createRedactor } from '../../src/shared/redact.ts';
import { createProvisioner } from '../../src/tenants/create-provisioner.ts';
import type { HttpProvisionerSpec } from '../../src/tenants/types.ts';
import { captureLog } from './helpers/capture-log.ts';
import { startTenantApi, type TenantApi } from './helpers/tenant-api.ts';

const auth = { authorization: 'Bearer {{env.DEMO_ADMIN_TOKEN}}' };
const spec = (overrides: Partial<HttpProvisionerSpec> = {}): HttpProvisionerSpec => ({
  kind: 'http',
  prefix: 'vigil',
  ttl: 60_000,
  timeout: 400,
  secretFields: [],
  create: { method: 'POST', url: '{{environment.baseURL}}/admin/tenants', headers: auth, body: { name: '{{tenant.name}}' } },
  fields: { id: 'id', email: 'owner.email', password: 'owner.password' },
  delete: { method: 'DELETE', url: '{{environment.baseURL}}/admin/tenants/{{tenant.id}}', headers: auth },
  list: { method: 'GET', url: '{{environment.baseURL}}/admin/tenants', headers: auth, items: 'tenants' },
  ...overrides,
});

describe('http provisioner', () => {
  let api: TenantApi;
  before(async () => {
    api = await startTenantApi();
  });
  after(() => api.close());
  beforeEach(() => {
    api.modes.create = api.modes.list = api.modes.delete = 'ok';
  });

  const setup = (overrides: Partial<HttpProvisionerSpec> = {}) => {
    const redact = createRedactor();
    const capture = captureLog();
    const provisioner = createProvisioner('demo', spec(overrides), {
      cwd: process.cwd(),
      log: capture.log,
      redact,
      env: { DEMO_ADMIN_TOKEN: api.token },
    });
    return { provisioner, redact, capture, environment: { name: 'staging', baseURL: api.url } };
  };

  /** The ProvisionError a call rejects with; fails the test when it resolves. */
  const failureOf = async (promise: Promise<unknown>): Promise<ProvisionError> => {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof ProvisionError, `expected a ProvisionError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected the call to fail');
  };

  it('creates a tenant, picks its fields by dot path, lists it and destroys it', async () => {
    const { provisioner, redact, environment } = setup();
    const fields = await provisioner.create({ name: 'vigil-checkout-abc123', environment });
    const stored = api.tenants.get(fields.id);
    assert.ok(stored, 'the tenant exists in the app');
    assert.deepEqual(fields, { id: stored.id, email: stored.owner.email, password: stored.owner.password });
    assert.equal(redact(`login with ${fields.password}`), 'login with ***', 'the password is a known secret at once');
    assert.equal(provisioner.isSecretField('password'), true);
    assert.equal(provisioner.isSecretField('email'), false);

    const listed = await provisioner.list!(environment);
    const mine = listed.find((t) => t.name === 'vigil-checkout-abc123');
    assert.equal(mine?.id, fields.id);
    assert.ok(mine?.createdAt instanceof Date && !Number.isNaN(mine.createdAt.getTime()));

    await provisioner.destroy({ name: 'vigil-checkout-abc123', fields: { id: fields.id }, environment });
    assert.equal(api.tenants.has(fields.id), false);
  });

  it('treats 404 on delete as already gone, and says so in the log', async () => {
    const { provisioner, capture, environment } = setup();
    await provisioner.destroy({ name: 'vigil-x-gone', fields: { id: 'never-existed' }, environment });
    assert.match(capture.text(), /answered 404: tenant already gone/);
  });

  it('percent-encodes tenant values in URLs so an id stays one path segment', async () => {
    const { provisioner, environment } = setup();
    const before = api.requests.length;
    await provisioner.destroy({ name: 'vigil-x-odd', fields: { id: 'a/b c' }, environment });
    assert.deepEqual(api.requests.slice(before), ['DELETE /admin/tenants/a%2Fb%20c']);
  });

  const failures: Array<[string, () => void, RegExp]> = [
    ['the app answers 500', () => (api.modes.create = 'error-500'), /answered 500: "\{\\"error\\":\\"database is locked\\"\}"$/],
    ['the app answers an HTML page', () => (api.modes.create = 'html'), /answered 200 but the body is not JSON: "<!doctype html><html><head><title>Sign in/],
    ['the app answers too slowly', () => (api.modes.create = 'slow'), /timed out after 0\.4s$/],
    [
      'a mapped field is missing',
      () => (api.modes.create = 'missing-password'),
      /answered 201, but field "owner\.password" \(for password\) missing from answer$/,
    ],
  ];
  for (const [what, arrange, cause] of failures) {
    it(`fails create with a ProvisionError naming provisioner, call, URL and cause when ${what}`, async () => {
      arrange();
      const { provisioner, environment } = setup();
      const err = await failureOf(provisioner.create({ name: 'vigil-checkout-fail', environment }));
      assert.ok(err.message.startsWith(`tenants.demo.create: POST ${api.url}/admin/tenants `), err.message);
      assert.match(err.message, cause);
      assert.ok(!err.message.includes(api.token), 'the token never appears');
    });
  }

  it('says connection refused, with the URL, when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { provisioner } = setup();
    const err = await failureOf(provisioner.create({ name: 'vigil-x-refused', environment: { name: 'staging', baseURL: `http://127.0.0.1:${port}` } }));
    assert.equal(err.message, `tenants.demo.create: POST http://127.0.0.1:${port}/admin/tenants failed: connection refused (is the app up and the URL right?)`);
  });

  it('stops when the caller aborts and says it was interrupted', async () => {
    api.modes.create = 'slow';
    const { provisioner, environment } = setup({ timeout: 10_000 });
    const controller = new AbortController();
    const pending = provisioner.create({ name: 'vigil-x-abort', environment }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    assert.match((await failureOf(pending)).message, /admin\/tenants interrupted$/);
  });

  it('never shows the token or a tenant password, even when the app echoes them', async () => {
    const { provisioner, environment } = setup();
    const fields = await provisioner.create({ name: 'vigil-checkout-echo', environment });
    api.modes.delete = 'echo-secrets-500';
    const err = await failureOf(provisioner.destroy({ name: 'vigil-checkout-echo', fields, environment }));
    assert.match(err.message, /^tenants\.demo\.delete: DELETE .* answered 500: "boom for \*\*\* owner password=\*\*\*"$/);
    assert.ok(!err.message.includes(api.token));
    assert.ok(!err.message.includes(fields.password));
  });

  it('names an unknown placeholder instead of sending an empty value', async () => {
    const { provisioner, environment } = setup({
      create: { method: 'POST', url: '{{environment.baseURL}}/admin/tenants?plan={{tenant.plan}}', headers: auth },
    });
    const err = await failureOf(provisioner.create({ name: 'vigil-x-tpl', environment }));
    assert.match(err.message, /^tenants\.demo\.create: unknown placeholder \{\{tenant\.plan\}\}/);
  });

  it('refuses a field mapping without id when it is built', () => {
    // The type forbids it; a spec built in plain JS (a module, a hand-made object) can still do it.
    assert.throws(() => setup({ fields: { email: 'owner.email' } as unknown as HttpProvisionerSpec['fields'] }), /tenants\.demo\.load: fields must map "id"/);
  });
});
