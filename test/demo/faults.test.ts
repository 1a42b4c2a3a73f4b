import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { healthyFaults, parseFaultList } from '../../demo/faults.ts';
import { admin, browse, createTenant, postLogin, signIn, startTestDemo, uploadFile, type TestDemo, type TestTenant } from './demo-harness.ts';

describe('demo fault switches', () => {
  let demo: TestDemo;
  let tenant: TestTenant;
  let cookie: string;
  before(async () => {
    demo = await startTestDemo();
    tenant = await createTenant(demo);
    cookie = await signIn(demo, tenant);
  });
  beforeEach(() => demo.setFaults(healthyFaults()));
  after(() => demo.close());

  it('reads and changes the switches over PUT/GET /admin/faults, behind the admin token', async () => {
    assert.deepEqual(await (await admin(demo, 'GET', '/admin/faults')).json(), healthyFaults());
    const put = await admin(demo, 'PUT', '/admin/faults', { uploads: true, loginSlowMs: 10 });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { ...healthyFaults(), uploads: true, loginSlowMs: 10 });
    assert.deepEqual(demo.faults(), { ...healthyFaults(), uploads: true, loginSlowMs: 10 });
    assert.equal((await admin(demo, 'PUT', '/admin/faults', { search: true }, 'wrong')).status, 401);
    for (const bad of [{ uploads: 'yes' }, { bogus: true }, { admin: 'sideways' }, { loginSlowMs: -1 }]) {
      const res = await admin(demo, 'PUT', '/admin/faults', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.equal(demo.faults().search, false, 'a refused change changes nothing');
  });

  it('logo: every page still renders, its logo answers 500, and /metrics counts it as synthetic when X-Vigil-Run was sent', async () => {
    const count = async (status: string, synthetic: boolean) => {
      const text = await (await fetch(`${demo.url}/metrics`)).text();
      return Number(new RegExp(`^demo_http_requests_total\\{status="${status}",synthetic="${synthetic}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    assert.equal(await count('500', true), 0, 'the 5xx series exists before the first error');
    assert.equal((await fetch(`${demo.url}/logo.svg`)).status, 200);
    demo.setFaults({ logo: true });
    assert.match(await (await browse(demo, cookie, '/notes')).text(), /fetch\('\/logo\.svg'\)/);
    assert.equal((await fetch(`${demo.url}/logo.svg`, { headers: { 'X-Vigil-Run': 'run-1' } })).status, 500);
    assert.equal((await fetch(`${demo.url}/logo.svg`)).status, 500);
    assert.equal(await count('500', true), 1);
    assert.equal(await count('500', false), 1);
    assert.deepEqual(parseFaultList('logo'), { logo: true });
  });

  it('uploads: answers 500 and stores nothing', async () => {
    demo.setFaults({ uploads: true });
    const res = await uploadFile(demo, cookie, 'broken.txt', Buffer.from('x'));
    assert.equal(res.status, 500);
    assert.match(await res.text(), /Upload failed/);
    demo.setFaults({ uploads: false });
    assert.doesNotMatch(await (await browse(demo, cookie, '/files')).text(), /broken\.txt/);
  });

  it('search: answers 500 while listing still works', async () => {
    demo.setFaults({ search: true });
    assert.equal((await browse(demo, cookie, '/notes?q=anything')).status, 500);
    assert.equal((await browse(demo, cookie, '/notes')).status, 200);
  });

  it('flakySearch: fails the first search of each tenant only', async () => {
    const other = await createTenant(demo);
    const otherCookie = await signIn(demo, other);
    await admin(demo, 'PUT', '/admin/faults', { flakySearch: true });
    assert.equal((await browse(demo, cookie, '/notes?q=a')).status, 500);
    assert.equal((await browse(demo, cookie, '/notes?q=a')).status, 200);
    assert.equal((await browse(demo, cookie, '/notes?q=b')).status, 200);
    assert.equal((await browse(demo, otherCookie, '/notes?q=a')).status, 500, 'each tenant gets its own first failure');
    assert.equal((await browse(demo, otherCookie, '/notes?q=a')).status, 200);
    await admin(demo, 'PUT', '/admin/faults', { flakySearch: true });
    assert.equal((await browse(demo, cookie, '/notes?q=a')).status, 500, 'switching it on again re-arms it');
  });

  it('loginSlowMs: holds the login answer at least that long, then answers normally', async () => {
    demo.setFaults({ loginSlowMs: 300 });
    const started = performance.now();
    const res = await postLogin(demo, tenant.email, tenant.password);
    assert.ok(performance.now() - started >= 290, 'login was held back');
    assert.equal(res.status, 303);
  });

  it('loginSlowMs: a pending slow login does not keep the app from closing', { timeout: 10_000 }, async () => {
    const slow = await startTestDemo({ faults: { loginSlowMs: 600_000 } });
    const pending = postLogin(slow, 'a@b.example', 'whatever').catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 100));
    await slow.close();
    assert.ok((await pending) instanceof Error, 'the held request is cut off, not answered');
  });

  it('admin down: the tenant API answers 503, the fault switch keeps working', async () => {
    demo.setFaults({ admin: 'down' });
    for (const [method, path] of [
      ['POST', '/admin/tenants'],
      ['GET', '/admin/tenants'],
      ['GET', `/admin/tenants/${tenant.id}`],
      ['DELETE', `/admin/tenants/${tenant.id}`],
    ]) {
      const res = await admin(demo, method, path, method === 'POST' ? { name: 'while-down' } : undefined);
      assert.equal(res.status, 503, `${method} ${path}`);
    }
    assert.equal((await admin(demo, 'PUT', '/admin/faults', { admin: 'ok' })).status, 200);
    assert.equal((await admin(demo, 'GET', `/admin/tenants/${tenant.id}`)).status, 200, 'the tenant survived');
  });

  it('admin garbage: create answers 200 with an HTML body and creates nothing', async () => {
    demo.setFaults({ admin: 'garbage' });
    const res = await admin(demo, 'POST', '/admin/tenants', { name: 'garbage-co' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const text = await res.text();
    assert.throws(() => JSON.parse(text));
    const { tenants } = (await (await admin(demo, 'GET', '/admin/tenants')).json()) as { tenants: Array<{ name: string }> };
    assert.ok(!tenants.some((t) => t.name === 'garbage-co'));
  });
});

describe('DEMO_FAULTS names', () => {
  it('maps each name to its switch', () => {
    assert.deepEqual(parseFaultList('uploads, search,flaky-search,login-slow'), {
      uploads: true,
      search: true,
      flakySearch: true,
      loginSlowMs: 15_000,
    });
    assert.deepEqual(parseFaultList('admin-down'), { admin: 'down' });
    assert.deepEqual(parseFaultList('admin-garbage'), { admin: 'garbage' });
    assert.deepEqual(parseFaultList(''), {});
    assert.deepEqual(parseFaultList(undefined), {});
  });

  it('refuses an unknown name, listing the known ones', () => {
    assert.throws(() => parseFaultList('uploads,serch'), /unknown fault "serch"; known faults: uploads, search, flaky-search/);
  });
});
