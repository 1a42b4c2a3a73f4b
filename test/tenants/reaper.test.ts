import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRedactor } from '../../src/shared/redact.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { createProvisioner } from '../../src/tenants/create-provisioner.ts';
import { createReaper, type ReaperEnvironment } from '../../src/tenants/reaper.ts';
import { publicFields } from '../../src/tenants/secret-fields.ts';
import type { HttpProvisionerSpec, Provisioner } from '../../src/tenants/types.ts';
import { captureLog } from './helpers/capture-log.ts';
import { startTenantApi, type TenantApi } from './helpers/tenant-api.ts';

const HOUR = 3_600_000;
const auth = { authorization: 'Bearer {{env.DEMO_ADMIN_TOKEN}}' };
const spec: HttpProvisionerSpec = {
  kind: 'http',
  prefix: 'vigil',
  ttl: HOUR,
  timeout: 2_000,
  create: { method: 'POST', url: '{{environment.baseURL}}/admin/tenants', headers: auth, body: { name: '{{tenant.name}}' } },
  fields: { id: 'id', email: 'owner.email', password: 'owner.password' },
  delete: { method: 'DELETE', url: '{{environment.baseURL}}/admin/tenants/{{tenant.id}}', headers: auth },
  list: { method: 'GET', url: '{{environment.baseURL}}/admin/tenants', headers: auth, items: 'tenants' },
};

describe('reaper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reaper-'));
  let api: TenantApi;
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  before(async () => {
    api = await startTenantApi();
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = async (file: string, from: 'environments' | 'config' = 'environments') => {
    const redact = createRedactor();
    const capture = captureLog();
    const provisioner = createProvisioner('demo', spec, { cwd: dir, log: capture.log, redact, env: { DEMO_ADMIN_TOKEN: api.token } });
    const store = await openStore(join(dir, file));
    const environment: ReaperEnvironment = { name: 'staging', baseURL: api.url, tenants: 'demo' };
    const reaper = createReaper({
      store,
      provisioners: new Map([['demo', provisioner]]),
      // Two environments on one app: its tenants are listed and swept once.
      ...(from === 'environments'
        ? {
            environments: new Map([
              ['staging', environment],
              ['staging-b', { ...environment, name: 'staging-b' }],
            ]),
          }
        : { config: { environments: { staging: { baseURL: api.url, tenants: 'demo' }, 'staging-b': { baseURL: api.url, tenants: 'demo' } } } }),
      log: capture.log,
      clock: () => now,
    });
    return { provisioner, store, reaper, environment, redact, capture };
  };

  /** As the orchestrator does it: ledger row first, then create, then the public fields. */
  const provision = async (store: Store, provisioner: Provisioner, environment: ReaperEnvironment, name: string, createdAt: Date) => {
    await store.tenants.begin({
      name,
      provisioner: 'demo',
      suite: 'checkout',
      environment: 'staging',
      baseURL: environment.baseURL,
      runId: `run-${name}`,
      createdAt,
    });
    const fields = await provisioner.create({ name, environment });
    await store.tenants.activate(name, publicFields(fields, provisioner));
    return fields;
  };
  const remoteNames = () => [...api.tenants.values()].map((t) => t.name).sort();

  it('destroys what outlived the TTL in the ledger and in the app, and nothing else', async () => {
    api.modes.delete = 'ok';
    const { provisioner, store, reaper, environment } = await setup('sweep.db');
    await provision(store, provisioner, environment, 'vigil-checkout-old', ago(2 * HOUR));
    await provision(store, provisioner, environment, 'vigil-checkout-fresh', ago(60_000));
    // Vigil stopped mid-create: the app made the tenant, the ledger never learned its id.
    api.seed('vigil-checkout-stuck', ago(3 * HOUR));
    await store.tenants.begin({
      name: 'vigil-checkout-stuck',
      provisioner: 'demo',
      suite: 'checkout',
      environment: 'staging',
      baseURL: api.url,
      runId: 'r',
      createdAt: ago(3 * HOUR),
    });
    api.seed('vigil-checkout-orphan', ago(2 * HOUR)); // the ledger lost it
    api.seed('vigil-checkout-youngorphan', ago(5 * 60_000));
    api.seed('customer-acme', ago(240 * HOUR)); // a real customer: no prefix

    const report = await reaper.reap();

    assert.deepEqual(report, {
      ledgerReaped: 2,
      remoteReaped: 1,
      reaped: [
        { environment: 'staging', source: 'ledger' },
        { environment: 'staging', source: 'ledger' },
        { environment: 'staging', source: 'remote' },
      ],
      failed: [],
      orphansFound: 1,
    });
    assert.deepEqual(remoteNames(), ['customer-acme', 'vigil-checkout-fresh', 'vigil-checkout-youngorphan']);
    assert.equal((await store.tenants.get('vigil-checkout-old'))?.state, 'destroyed');
    assert.equal((await store.tenants.get('vigil-checkout-stuck'))?.state, 'destroyed');
    assert.equal((await store.tenants.get('vigil-checkout-fresh'))?.state, 'active');

    const again = await reaper.reap();
    assert.deepEqual(again, { ledgerReaped: 0, remoteReaped: 0, reaped: [], failed: [], orphansFound: 0 }, 'a second sweep finds nothing');
    await store.close();
    for (const t of [...api.tenants.values()]) api.tenants.delete(t.id);
  });

  it('sweeps the environments of a loaded config the same way', async () => {
    api.modes.delete = 'ok';
    const { store, reaper } = await setup('from-config.db', 'config');
    api.seed('vigil-search-lost', ago(2 * HOUR));
    assert.deepEqual(await reaper.reap(), {
      ledgerReaped: 0,
      remoteReaped: 1,
      reaped: [{ environment: 'staging', source: 'remote' }],
      failed: [],
      orphansFound: 1,
    });
    assert.deepEqual(remoteNames(), []);
    await store.close();
  });

  it('counts a failed destroy, keeps the row for next time, and stores no secret', async () => {
    const { provisioner, store, reaper, environment, capture } = await setup('failing.db', 'config');
    const fields = await provision(store, provisioner, environment, 'vigil-checkout-stubborn', ago(2 * HOUR));
    await store.tenants.finish('vigil-checkout-stubborn', 'teardown_failed', 'DELETE answered 500');
    api.modes.delete = 'echo-secrets-500';

    const report = await reaper.reap();

    assert.equal(report.ledgerReaped, 0);
    assert.deepEqual(
      report.failed.map((f) => f.name),
      ['vigil-checkout-stubborn'],
    );
    assert.match(
      report.failed[0].error,
      /^tenants\.demo\.delete: DELETE http:\/\/127\.0\.0\.1:\d+\/admin\/tenants\/t\d+ answered 500: "boom for \*\*\* owner password=\*\*\*"$/,
    );
    const row = await store.tenants.get('vigil-checkout-stubborn');
    assert.equal(row?.state, 'teardown_failed');
    assert.equal(row?.attempts, 1);
    assert.equal(row?.error, report.failed[0].error);
    assert.deepEqual(Object.keys(row?.fields ?? {}).sort(), ['email', 'id'], 'the password is not in the ledger');
    assert.deepEqual(remoteNames(), ['vigil-checkout-stubborn']);

    const dbFile = join(dir, 'failing.db');
    await store.close();
    const bytes = [dbFile, `${dbFile}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
    assert.ok(bytes.includes('vigil-checkout-stubborn'), 'the file holds the ledger (the check below can fail)');
    for (const secret of [api.token, fields.password]) {
      assert.ok(!bytes.includes(secret), 'no secret in the store file');
      assert.ok(!capture.text().includes(secret), 'no secret in the log');
    }
  });
});
