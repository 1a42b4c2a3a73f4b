import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { healthyFaults } from '../../demo/faults.ts';
import * as demoModule from '../../tenants/demo-module.ts';
import { admin, postLogin, startTestDemo, type TestDemo } from './demo-harness.ts';

const COMMAND = path.join(import.meta.dirname, '../../tenants/demo-command.ts');

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command provisioner as Vigil would: argv, env, optional stdin; killed after 15 s. */
async function runCommand(args: string[], env: Record<string, string>, stdin = ''): Promise<CommandResult> {
  const child = spawn(process.execPath, [COMMAND, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 15_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function remoteNames(demo: TestDemo): Promise<string[]> {
  const { tenants } = (await (await admin(demo, 'GET', '/admin/tenants')).json()) as { tenants: Array<{ name: string }> };
  return tenants.map((t) => t.name);
}

describe('demo provisioners against the real demo app', () => {
  let demo: TestDemo;
  let env: Record<string, string>;
  before(async () => {
    demo = await startTestDemo();
    env = { VIGIL_ENVIRONMENT_BASEURL: demo.url, VIGIL_ENVIRONMENT_NAME: 'test', DEMO_ADMIN_TOKEN: demo.adminToken };
  });
  beforeEach(() => demo.setFaults(healthyFaults()));
  after(() => demo.close());

  describe('command (tenants/demo-command.ts)', () => {
    it('creates a tenant whose owner can sign in, lists it, deletes it from stdin', { timeout: 30_000 }, async () => {
      const created = await runCommand(['create'], { ...env, VIGIL_TENANT_NAME: 'vigil-demo-cmd1' });
      assert.equal(created.code, 0, created.stderr);
      const tenant = JSON.parse(created.stdout);
      assert.deepEqual(Object.keys(tenant).sort(), ['createdAt', 'email', 'id', 'name', 'password']);
      assert.equal(tenant.name, 'vigil-demo-cmd1');
      assert.equal((await postLogin(demo, tenant.email, tenant.password)).status, 303);

      const listed = await runCommand(['list'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout), [{ id: tenant.id, name: 'vigil-demo-cmd1', createdAt: tenant.createdAt }]);

      const deleted = await runCommand(['delete'], env, created.stdout);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(await remoteNames(demo), []);
      assert.deepEqual(JSON.parse((await runCommand(['list'], env)).stdout), []);
    });

    it('deletes by VIGIL_TENANT_ID, and deleting a gone tenant is not an error', { timeout: 30_000 }, async () => {
      const created = await runCommand(['create'], { ...env, VIGIL_TENANT_NAME: 'vigil-demo-cmd2' });
      const { id } = JSON.parse(created.stdout);
      const deleted = await runCommand(['delete'], { ...env, VIGIL_TENANT_ID: id });
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(await remoteNames(demo), []);
      const again = await runCommand(['delete'], { ...env, VIGIL_TENANT_ID: id });
      assert.equal(again.code, 0);
      assert.match(again.stderr, /already gone/);
    });

    it('fails with a readable message on stderr, never the token, and prints nothing on stdout', { timeout: 30_000 }, async () => {
      const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
        ['no token', ['list'], { ...env, DEMO_ADMIN_TOKEN: '' }, /DEMO_ADMIN_TOKEN is not set/],
        ['wrong token', ['list'], { ...env, DEMO_ADMIN_TOKEN: 'not-the-token' }, /GET http:\/\/127\.0\.0\.1:\d+\/admin\/tenants answered 401/],
        ['no name', ['create'], env, /VIGIL_TENANT_NAME is not set/],
        ['unknown call', ['frobnicate'], env, /usage: node tenants\/demo-command\.ts create\|delete\|list/],
        ['delete without tenant', ['delete'], env, /delete needs the tenant/],
      ];
      for (const [label, args, caseEnv, message] of cases) {
        const result = await runCommand(args, caseEnv);
        assert.equal(result.code, 1, label);
        assert.match(result.stderr, message, label);
        assert.equal(result.stdout, '', label);
        assert.ok(!result.stderr.includes(demo.adminToken), `${label}: token leaked`);
      }
    });

    it('reports an admin API that is down or answers garbage', { timeout: 30_000 }, async () => {
      demo.setFaults({ admin: 'down' });
      const down = await runCommand(['create'], { ...env, VIGIL_TENANT_NAME: 'vigil-demo-down' });
      assert.equal(down.code, 1);
      assert.match(down.stderr, /POST http:\/\/127\.0\.0\.1:\d+\/admin\/tenants answered 503/);
      demo.setFaults({ admin: 'garbage' });
      const garbage = await runCommand(['create'], { ...env, VIGIL_TENANT_NAME: 'vigil-demo-garbage' });
      assert.equal(garbage.code, 1);
      assert.match(garbage.stderr, /answered 200 but the body is not JSON: "<html>/);
    });
  });

  describe('module (tenants/demo-module.ts)', () => {
    const environment = () => ({ name: 'test', baseURL: demo.url });

    it('creates, lists and destroys a tenant with options.adminToken', async () => {
      const options = { adminToken: demo.adminToken };
      const fields = await demoModule.create({ name: 'vigil-demo-mod1', environment: environment(), options, signal: AbortSignal.timeout(10_000) });
      assert.deepEqual(Object.keys(fields).sort(), ['createdAt', 'email', 'id', 'name', 'password']);
      assert.equal((await postLogin(demo, fields.email, fields.password)).status, 303);

      const listed = await demoModule.list({ environment: environment(), options });
      assert.deepEqual(listed, [{ id: fields.id, name: 'vigil-demo-mod1', createdAt: fields.createdAt, fields: { id: fields.id, name: 'vigil-demo-mod1' } }]);

      await demoModule.destroy({ name: 'vigil-demo-mod1', fields, environment: environment(), options });
      assert.deepEqual(await demoModule.list({ environment: environment(), options }), []);
      // Already gone: destroy is idempotent, as a reaper retrying it needs.
      await demoModule.destroy({ name: 'vigil-demo-mod1', fields, environment: environment(), options });
    });

    it('falls back to env DEMO_ADMIN_TOKEN', async () => {
      const saved = process.env.DEMO_ADMIN_TOKEN;
      process.env.DEMO_ADMIN_TOKEN = demo.adminToken;
      try {
        const fields = await demoModule.create({ name: 'vigil-demo-mod2', environment: environment() });
        await demoModule.destroy({ name: 'vigil-demo-mod2', fields, environment: environment() });
        assert.deepEqual(await remoteNames(demo), []);
      } finally {
        if (saved === undefined) delete process.env.DEMO_ADMIN_TOKEN;
        else process.env.DEMO_ADMIN_TOKEN = saved;
      }
    });

    it('throws errors that name the request and status but not the token', async () => {
      await assert.rejects(
        demoModule.create({ name: 'x-y', environment: environment(), options: { adminToken: 'wrong-token-value' } }),
        (err: Error) => /POST http:\/\/127\.0\.0\.1:\d+\/admin\/tenants answered 401/.test(err.message) && !err.message.includes('wrong-token-value'),
      );
      demo.setFaults({ admin: 'garbage' });
      await assert.rejects(demoModule.create({ name: 'x-z', environment: environment(), options: { adminToken: demo.adminToken } }), /body is not JSON/);
      const aborted = new AbortController();
      aborted.abort();
      demo.setFaults({ admin: 'ok' });
      await assert.rejects(
        demoModule.list({ environment: environment(), options: { adminToken: demo.adminToken }, signal: aborted.signal }),
        /GET http:\/\/127\.0\.0\.1:\d+\/admin\/tenants failed/,
      );
    });
  });
});
