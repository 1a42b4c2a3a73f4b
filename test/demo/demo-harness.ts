// Shared steps for the demo tests: a real demo app on 127.0.0.1:0 and the HTTP calls a browser or a
// provisioner would make. Not a test file itself.
import { randomBytes } from 'node:crypto';
import { startDemo, type DemoApp, type DemoOptions } from '../../demo/app.ts';
import { escapeHtml } from '../../demo/html.ts';

export interface TestDemo extends DemoApp {
  adminToken: string;
}

export async function startTestDemo(opts: Partial<DemoOptions> = {}): Promise<TestDemo> {
  const adminToken = `admin-${randomBytes(12).toString('hex')}`;
  const demo = await startDemo({ adminToken, ...opts });
  return Object.assign(demo, { adminToken });
}

export function admin(demo: TestDemo, method: string, path: string, body?: unknown, token = demo.adminToken): Promise<Response> {
  return fetch(`${demo.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface TestTenant {
  id: string;
  name: string;
  email: string;
  password: string;
}

let counter = 0;
export async function createTenant(demo: TestDemo, name = `vigil-test-${process.pid}-${++counter}`): Promise<TestTenant> {
  const res = await admin(demo, 'POST', '/admin/tenants', { name });
  if (res.status !== 201) throw new Error(`creating tenant ${name}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: string; name: string; owner: { email: string; password: string } };
  return { id: body.id, name: body.name, email: body.owner.email, password: body.owner.password };
}

/** POSTs the login form like a browser; returns the raw response (redirects not followed). */
export function postLogin(demo: TestDemo, email: string, password: string): Promise<Response> {
  return fetch(`${demo.url}/login`, { method: 'POST', body: new URLSearchParams({ email, password }), redirect: 'manual' });
}

/** Signs in and returns the `Cookie` header value for later requests. */
export async function signIn(demo: TestDemo, tenant: TestTenant): Promise<string> {
  const res = await postLogin(demo, tenant.email, tenant.password);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`login as ${tenant.email}: ${res.status}`);
  return cookie;
}

/** A signed-in browser's request: cookie attached, redirects left visible. */
export function browse(demo: TestDemo, cookie: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${demo.url}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie } });
}

export const postForm = (demo: TestDemo, cookie: string, path: string, fields: Record<string, string>) =>
  browse(demo, cookie, path, { method: 'POST', body: new URLSearchParams(fields) });

export async function createNote(demo: TestDemo, cookie: string, title: string, body = ''): Promise<string> {
  const res = await postForm(demo, cookie, '/notes', { title, body });
  if (res.status !== 303) throw new Error(`creating note ${title}: ${res.status}`);
  const page = await (await browse(demo, cookie, '/notes')).text();
  const escaped = escapeHtml(title).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const id = new RegExp(`<h2 id="note-([^"]+)-title">${escaped}</h2>`).exec(page)?.[1];
  if (!id) throw new Error(`note ${title} not listed after creating it`);
  return id;
}

export function uploadFile(demo: TestDemo, cookie: string, name: string, content: Buffer): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type: 'text/plain' }), name);
  return browse(demo, cookie, '/files', { method: 'POST', body: form });
}
