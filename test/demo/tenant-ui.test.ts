import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browse, createNote, createTenant, postForm, postLogin, signIn, startTestDemo, uploadFile, type TestDemo, type TestTenant } from './demo-harness.ts';

describe('demo tenant UI over HTTP', () => {
  let demo: TestDemo;
  let alice: TestTenant;
  let bob: TestTenant;
  let aliceCookie: string;
  let bobCookie: string;
  before(async () => {
    demo = await startTestDemo();
    alice = await createTenant(demo, 'alice-co');
    bob = await createTenant(demo, 'bob-co');
    aliceCookie = await signIn(demo, alice);
    bobCookie = await signIn(demo, bob);
  });
  after(() => demo.close());

  it('sends visitors without a session to the login page', async () => {
    for (const path of ['/', '/notes', '/files', '/billing']) {
      const res = await fetch(`${demo.url}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), '/login', path);
    }
    const login = await fetch(`${demo.url}/login`);
    const html = await login.text();
    assert.match(html, /<label for="email">Email<\/label>/);
    assert.match(html, /<label for="password">Password<\/label>/);
  });

  it('rejects a wrong password or unknown email with 401 "Invalid email or password"', async () => {
    for (const [email, password] of [
      [alice.email, 'wrong-password'],
      ['nobody@nowhere.example', alice.password],
      [alice.email, ''],
    ]) {
      const res = await postLogin(demo, email, password);
      assert.equal(res.status, 401);
      assert.match(await res.text(), /Invalid email or password/);
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
  });

  it('signs in with an HttpOnly session cookie and lands on the notes', async () => {
    const res = await postLogin(demo, alice.email.toUpperCase(), alice.password);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/notes');
    const [cookie] = res.headers.getSetCookie();
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const home = await browse(demo, cookie.split(';')[0], '/');
    assert.equal(home.headers.get('location'), '/notes');
  });

  it('creates, edits, searches and deletes notes', async () => {
    const id = await createNote(demo, aliceCookie, 'Shopping <list>', 'Milk & Eggs');
    let page = await (await browse(demo, aliceCookie, '/notes')).text();
    assert.ok(page.includes('Shopping &#60;list&#62;'), 'titles are escaped, never raw HTML');
    assert.ok(page.includes('Milk &#38; Eggs'));

    assert.equal((await postForm(demo, aliceCookie, `/notes/${id}`, { title: 'Shopping list', body: 'Milk, eggs, BREAD' })).status, 303);
    const edit = await (await browse(demo, aliceCookie, `/notes/${id}/edit`)).text();
    assert.match(edit, /value="Shopping list"/);

    await createNote(demo, aliceCookie, 'Holiday plans', 'Lisbon');
    page = await (await browse(demo, aliceCookie, '/notes?q=bread')).text();
    assert.match(page, /1 matching note</);
    assert.match(page, /Shopping list/);
    assert.doesNotMatch(page, /Holiday plans/);
    page = await (await browse(demo, aliceCookie, '/notes?q=LISBON')).text();
    assert.match(page, /Holiday plans/);

    assert.equal((await postForm(demo, aliceCookie, '/notes', { title: '  ', body: 'x' })).status, 400);
    assert.equal((await postForm(demo, aliceCookie, `/notes/${id}/delete`, {})).status, 303);
    page = await (await browse(demo, aliceCookie, '/notes')).text();
    assert.doesNotMatch(page, /Shopping list/);
    assert.equal((await postForm(demo, aliceCookie, `/notes/${id}/delete`, {})).status, 404);
  });

  it('never shows one tenant’s notes or files to another', async () => {
    const noteId = await createNote(demo, aliceCookie, 'Alice secret plan', 'acquire bob-co');
    assert.equal((await uploadFile(demo, aliceCookie, 'alice-only.txt', Buffer.from('private'))).status, 303);
    const aliceFiles = await (await browse(demo, aliceCookie, '/files')).text();
    const fileId = /href="\/files\/([^"]+)" aria-label="Download alice-only.txt"/.exec(aliceFiles)?.[1];
    assert.ok(fileId, 'alice sees her file');

    const bobNotes = await (await browse(demo, bobCookie, '/notes')).text();
    assert.doesNotMatch(bobNotes, /Alice secret plan/);
    assert.doesNotMatch(await (await browse(demo, bobCookie, '/notes?q=secret')).text(), /Alice secret plan/);
    assert.equal((await browse(demo, bobCookie, `/notes/${noteId}/edit`)).status, 404);
    assert.equal((await postForm(demo, bobCookie, `/notes/${noteId}`, { title: 'pwned', body: '' })).status, 404);
    assert.equal((await postForm(demo, bobCookie, `/notes/${noteId}/delete`, {})).status, 404);
    assert.doesNotMatch(await (await browse(demo, bobCookie, '/files')).text(), /alice-only\.txt/);
    assert.equal((await browse(demo, bobCookie, `/files/${fileId}`)).status, 404);

    const stillThere = await (await browse(demo, aliceCookie, `/notes/${noteId}/edit`)).text();
    assert.match(stillThere, /value="Alice secret plan"/, 'bob’s attempts changed nothing');
  });

  it('uploads a file, lists it with its size and downloads the same bytes', async () => {
    const content = Buffer.from('line one\r\n--not-a-boundary\r\n\u00e9t\u00e9\n');
    const res = await uploadFile(demo, bobCookie, 'notes v2.txt', content);
    assert.equal(res.status, 303);
    const page = await (await browse(demo, bobCookie, '/files')).text();
    assert.match(page, new RegExp(`notes v2.txt</td><td>${content.length} bytes`));
    const fileId = /href="\/files\/([^"]+)" aria-label="Download notes v2.txt"/.exec(page)?.[1];
    const download = await browse(demo, bobCookie, `/files/${fileId}`);
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /attachment; filename="notes v2.txt"/);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), content);
  });

  it('refuses an upload without a file (400) or over the size limit (413)', async () => {
    const noFile = await browse(demo, bobCookie, '/files', { method: 'POST', body: new FormData() });
    assert.equal(noFile.status, 400);
    const huge = await uploadFile(demo, bobCookie, 'huge.bin', Buffer.alloc(1024 * 1024 + 1024, 1));
    assert.equal(huge.status, 413);
    assert.doesNotMatch(await (await browse(demo, bobCookie, '/files')).text(), /huge\.bin/);
  });

  it('upgrades the plan with a valid card and declines an invalid one', async () => {
    const declined = await postForm(demo, bobCookie, '/billing/upgrade', { card: '4242 4242 4242 4241' });
    assert.equal(declined.status, 402);
    assert.match(await declined.text(), /Card declined/);
    assert.match(await (await browse(demo, bobCookie, '/billing')).text(), /Current plan: <strong>Free/);
    const paid = await postForm(demo, bobCookie, '/billing/upgrade', { card: '4242 4242 4242 4242' });
    assert.equal(paid.status, 303);
    assert.match(await (await browse(demo, bobCookie, '/billing')).text(), /Current plan: <strong>Pro/);
    assert.match(await (await browse(demo, aliceCookie, '/billing')).text(), /Current plan: <strong>Free/, 'only bob’s tenant upgraded');
  });

  it('logs out by ending the session on the server, not only in the browser', async () => {
    const cookie = await signIn(demo, alice);
    const res = await postForm(demo, cookie, '/logout', {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login');
    const after = await browse(demo, cookie, '/notes');
    assert.equal(after.status, 303, 'the old cookie no longer signs anyone in');
  });
});
