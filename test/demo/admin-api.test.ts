import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { admin, browse, createNote, createTenant, postLogin, signIn, startTestDemo, uploadFile, type TestDemo } from './demo-harness.ts';

describe('demo admin tenant API', () => {
  let demo: TestDemo;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-demo-admin-'));
    demo = await startTestDemo({ dbPath: path.join(dir, 'demo.db') });
  });
  after(async () => {
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers /healthz without authentication', async () => {
    const res = await fetch(`${demo.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
  });

  it('rejects requests without the bearer token or with a wrong one, as JSON 401', async () => {
    for (const token of ['', 'wrong-token', `${demo.adminToken}x`]) {
      const res = await admin(demo, 'GET', '/admin/tenants', undefined, token);
      assert.equal(res.status, 401, `token "${token}"`);
      assert.match((await res.json()).error, /admin token/);
    }
    const basic = await fetch(`${demo.url}/admin/tenants`, { headers: { authorization: `Basic ${demo.adminToken}` } });
    assert.equal(basic.status, 401);
    const create = await admin(demo, 'POST', '/admin/tenants', { name: 'sneaky' }, 'nope');
    assert.equal(create.status, 401);
    const list = (await (await admin(demo, 'GET', '/admin/tenants')).json()) as { tenants: Array<{ name: string }> };
    assert.ok(!list.tenants.some((t) => t.name === 'sneaky'), 'an unauthorised create must not create anything');
  });

  it('creates a tenant with an owner who can sign in', async () => {
    const res = await admin(demo, 'POST', '/admin/tenants', { name: 'vigil-demo-abc' });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.name, 'vigil-demo-abc');
    assert.match(body.id, /\S/);
    assert.ok(!Number.isNaN(Date.parse(body.createdAt)), 'createdAt is an ISO date');
    assert.equal(body.owner.email, 'owner@vigil-demo-abc.example');
    assert.ok(body.owner.password.length >= 16, 'a strong random password');
    const login = await postLogin(demo, body.owner.email, body.owner.password);
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/notes');
  });

  it('lists and gets tenants without ever showing a password', async () => {
    const tenant = await createTenant(demo);
    const listRes = await admin(demo, 'GET', '/admin/tenants');
    const listText = await listRes.text();
    const { tenants } = JSON.parse(listText) as { tenants: Array<Record<string, string>> };
    assert.deepEqual(Object.keys(tenants.find((t) => t.id === tenant.id) ?? {}).sort(), ['createdAt', 'id', 'name']);
    const getRes = await admin(demo, 'GET', `/admin/tenants/${tenant.id}`);
    assert.equal(getRes.status, 200);
    const getText = await getRes.text();
    assert.deepEqual(Object.keys(JSON.parse(getText)).sort(), ['createdAt', 'id', 'name']);
    for (const text of [listText, getText]) assert.ok(!text.includes(tenant.password));
    assert.equal((await admin(demo, 'GET', '/admin/tenants/t_unknown')).status, 404);
  });

  it('refuses a duplicate name with 409, whatever its case', async () => {
    await createTenant(demo, 'acme');
    for (const name of ['acme', 'ACME']) {
      const res = await admin(demo, 'POST', '/admin/tenants', { name });
      assert.equal(res.status, 409, name);
      assert.match((await res.json()).error, /already exists/);
    }
  });

  it('refuses a missing or invalid name, or a body that is not JSON, with 400', async () => {
    for (const body of [{}, { name: '' }, { name: 42 }, { name: 'has space' }, { name: '../etc' }, { name: 'x'.repeat(101) }, '{not json']) {
      const res = await admin(demo, 'POST', '/admin/tenants', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof (await res.json()).error, 'string');
    }
  });

  it('deletes a tenant with its users, sessions and data; a second delete is 404', async () => {
    const tenant = await createTenant(demo);
    const cookie = await signIn(demo, tenant);
    await createNote(demo, cookie, 'to be deleted');
    assert.equal((await uploadFile(demo, cookie, 'gone.txt', Buffer.from('bye'))).status, 303);
    const rowsOf = (id: string) => {
      const db = new DatabaseSync(path.join(dir, 'demo.db'), { readOnly: true });
      try {
        return ['users', 'notes', 'files'].map((table) =>
          Number((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).get(id) as { n: number }).n),
        );
      } finally {
        db.close();
      }
    };
    assert.deepEqual(rowsOf(tenant.id), [1, 1, 1]);

    const res = await admin(demo, 'DELETE', `/admin/tenants/${tenant.id}`);
    assert.equal(res.status, 204);
    assert.equal((await admin(demo, 'GET', `/admin/tenants/${tenant.id}`)).status, 404);
    assert.deepEqual(rowsOf(tenant.id), [0, 0, 0], 'users, notes and files are gone from the database');
    const { tenants } = (await (await admin(demo, 'GET', '/admin/tenants')).json()) as { tenants: Array<{ id: string }> };
    assert.ok(!tenants.some((t) => t.id === tenant.id));
    const stale = await browse(demo, cookie, '/notes');
    assert.equal(stale.status, 303, 'the deleted tenant’s session no longer works');
    assert.equal(stale.headers.get('location'), '/login');
    assert.equal((await postLogin(demo, tenant.email, tenant.password)).status, 401);
    assert.equal((await admin(demo, 'DELETE', `/admin/tenants/${tenant.id}`)).status, 404);
  });
});
