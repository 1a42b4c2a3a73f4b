import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const SERVER = path.join(import.meta.dirname, '../../demo/server.ts');
const TOKEN = 'cli-test-admin-token';
const children = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** Starts demo/server.ts and waits (at most 10 s) for its one "listening" line. */
async function startServer(args: string[], env: Record<string, string | undefined>): Promise<Started> {
  const child = spawn(process.execPath, [SERVER, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 10 s; stderr: ${err}`)), 10_000);
    const check = () => {
      const match = /^demo listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err };
}

async function runToExit(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SERVER, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  children.delete(child);
  return { code, stdout, stderr };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

describe('demo/server.ts', () => {
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('prints exactly one listening line, serves, and exits 0 on SIGTERM', { timeout: 20_000 }, async () => {
    const server = await startServer(['--port', '0'], { DEMO_ADMIN_TOKEN: TOKEN });
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const list = await fetch(`${server.url}/admin/tenants`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(await list.json(), { tenants: [] });
    assert.equal(await stop(server.child), 0);
    assert.equal(server.stdout(), `demo listening on ${server.url}\n`);
    assert.ok(!server.stderr().includes(TOKEN));
  });

  it('exits 0 on SIGINT too', { timeout: 20_000 }, async () => {
    const server = await startServer(['--port', '0'], { DEMO_ADMIN_TOKEN: TOKEN });
    assert.equal(await stop(server.child, 'SIGINT'), 0);
  });

  it('refuses to start without DEMO_ADMIN_TOKEN, saying why', { timeout: 20_000 }, async () => {
    const { code, stdout, stderr } = await runToExit(['--port', '0'], {});
    assert.notEqual(code, 0);
    assert.equal(stdout, '');
    assert.match(stderr, /DEMO_ADMIN_TOKEN is not set/);
  });

  it('refuses an unknown fault name or a bad port', { timeout: 20_000 }, async () => {
    const fault = await runToExit(['--port', '0'], { DEMO_ADMIN_TOKEN: TOKEN, DEMO_FAULTS: 'uploads,bogus' });
    assert.notEqual(fault.code, 0);
    assert.match(fault.stderr, /unknown fault "bogus"/);
    const port = await runToExit(['--port', 'eighty'], { DEMO_ADMIN_TOKEN: TOKEN });
    assert.notEqual(port.code, 0);
    assert.match(port.stderr, /--port: "eighty" is not a port number/);
  });

  it('starts with the faults named in DEMO_FAULTS', { timeout: 20_000 }, async () => {
    const server = await startServer(['--port', '0'], { DEMO_ADMIN_TOKEN: TOKEN, DEMO_FAULTS: 'search,login-slow,admin-garbage' });
    const faults = await (await fetch(`${server.url}/admin/faults`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    assert.deepEqual(faults, { uploads: false, search: true, loginSlowMs: 15_000, flakySearch: false, admin: 'garbage', logo: false });
    assert.equal(await stop(server.child), 0);
  });

  it('keeps tenants across restarts with --db', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-demo-cli-'));
    try {
      const db = path.join(dir, 'demo.db');
      const first = await startServer(['--port', '0', '--db', db], { DEMO_ADMIN_TOKEN: TOKEN });
      const created = await fetch(`${first.url}/admin/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'persistent-co' }),
      });
      assert.equal(created.status, 201);
      assert.equal(await stop(first.child), 0);
      const second = await startServer(['--port', '0', '--db', db], { DEMO_ADMIN_TOKEN: TOKEN });
      const { tenants } = await (await fetch(`${second.url}/admin/tenants`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
      assert.deepEqual(
        tenants.map((t: { name: string }) => t.name),
        ['persistent-co'],
      );
      assert.equal(await stop(second.child), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
