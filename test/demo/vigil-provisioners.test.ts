import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parse } from 'yaml';
import { createRedactor } from '../../src/shared/redact.ts';
import { createProvisioner, type ProvisionerSpec } from '../../src/tenants/index.ts';
import { startTestDemo, type TestDemo } from './demo-harness.ts';

// The three configurations tenants/README.md documents, taken from the README itself and run through
// Vigil's own provisioners against the real demo: the docs cannot drift from what works.

const ROOT = path.join(import.meta.dirname, '../..');

async function documentedSpecs(adminToken: string): Promise<ProvisionerSpec[]> {
  const readme = await readFile(path.join(ROOT, 'tenants/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  // `${VAR}` is the config loader's job; here only the one variable the README uses.
  return blocks.map((block) => (parse(block.replaceAll('${DEMO_ADMIN_TOKEN}', adminToken)) as { tenants: { demo: ProvisionerSpec } }).tenants.demo);
}

describe('tenants/README.md configurations with Vigil’s provisioners', () => {
  let demo: TestDemo;
  let specs: ProvisionerSpec[];
  const savedToken = process.env.DEMO_ADMIN_TOKEN;
  before(async () => {
    demo = await startTestDemo();
    specs = await documentedSpecs(demo.adminToken);
    // The command kind inherits Vigil's environment, as it would in production.
    process.env.DEMO_ADMIN_TOKEN = demo.adminToken;
  });
  after(async () => {
    if (savedToken === undefined) delete process.env.DEMO_ADMIN_TOKEN;
    else process.env.DEMO_ADMIN_TOKEN = savedToken;
    await demo.close();
  });

  it('documents one provisioner of each kind', () => {
    assert.deepEqual(
      specs.map((s) => s.kind),
      ['http', 'command', 'module'],
    );
  });

  for (const kind of ['http', 'command', 'module'] as const) {
    it(`${kind}: creates a tenant with id, email and a masked password, lists it, destroys it`, { timeout: 30_000 }, async () => {
      const spec = specs.find((s) => s.kind === kind)!;
      const redact = createRedactor();
      const provisioner = createProvisioner('demo', spec, { cwd: ROOT, log: pino({ level: 'silent' }), redact, env: process.env });
      await provisioner.ready?.();
      const environment = { name: 'demo', baseURL: demo.url };
      const name = `vigil-demo-${kind}readme`;

      const fields = await provisioner.create({ name, environment }, AbortSignal.timeout(20_000));
      assert.match(fields.id, /^t_/);
      assert.equal(fields.email, `owner@${name}.example`);
      assert.ok(provisioner.isSecretField('password'));
      assert.equal(redact(`login with ${fields.password}`), 'login with ***', 'the password is known to the redactor');

      assert.ok(provisioner.list, `${kind} can list`);
      const listed = await provisioner.list(environment);
      const remote = listed.find((t) => t.name === name);
      assert.equal(remote?.id, fields.id);
      assert.ok(remote?.createdAt instanceof Date && !Number.isNaN(remote.createdAt.getTime()));

      await provisioner.destroy({ name, fields, environment });
      assert.ok(!(await provisioner.list(environment)).some((t) => t.name === name), 'gone after destroy');
    });
  }
});
