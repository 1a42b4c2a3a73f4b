// Provisioner answers that are not the few hundred bytes of JSON they should be: far too large, not
// text at all, or never finished. Each ends in one ProvisionError that says which, within the
// provisioner's timeout, and Vigil never holds more than 1 MiB of it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProvisionError } from '../../src/shared/errors.ts';
import { createRedactor } from '../../src/shared/redact.ts';
import { createProvisioner } from '../../src/tenants/create-provisioner.ts';
import type { ProvisionerSpec } from '../../src/tenants/types.ts';
import { captureLog } from './helpers/capture-log.ts';

const MiB = 1024 * 1024;
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a]);

/** A tenant API whose create answers as the path says; `sent` counts the bytes each answer wrote. */
function startBadApi(): Promise<{ url: string; sent: Map<string, number>; close(): Promise<void> }> {
  const sent = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    const count = (n: number) => sent.set(path, (sent.get(path) ?? 0) + n);
    if (path === '/chunked-huge') {
      // No content-length: only counting the bytes read can stop this one. It writes until the reader stops.
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"id":"');
      const piece = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && (sent.get(path) ?? 0) < 64 * MiB) {
          count(piece.length);
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      pump();
    } else if (path === '/declared-huge') {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': String(2 * MiB) });
      res.write('{"id":"');
      count(7);
    } else if (path === '/binary') {
      res.writeHead(201, { 'content-type': 'application/octet-stream' });
      res.end(BINARY);
    } else if (path === '/binary-500') {
      res.writeHead(500);
      res.end(BINARY);
    } else if (path === '/trickle') {
      // Headers at once, then one byte every 50 ms, forever: only a deadline on the whole call ends it.
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        sent,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

const environment = { name: 'staging', baseURL: 'http://127.0.0.1:9' };

async function createFails(spec: ProvisionerSpec): Promise<{ error: ProvisionError; ms: number }> {
  const provisioner = createProvisioner('demo', spec, { cwd: process.cwd(), log: captureLog().log, redact: createRedactor() });
  const started = performance.now();
  try {
    await provisioner.create({ name: 'vigil-checkout-abc', environment });
  } catch (error) {
    assert.ok(error instanceof ProvisionError, `a ProvisionError, not ${String(error)}`);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');
    return { error, ms: performance.now() - started };
  }
  return assert.fail('the create should have failed');
}

describe('provisioner answers that are huge, binary or never end', () => {
  let api: Awaited<ReturnType<typeof startBadApi>>;
  before(async () => (api = await startBadApi()));
  after(() => api.close());

  const http = (path: string, timeout = 5_000): ProvisionerSpec => ({
    kind: 'http',
    timeout,
    create: { method: 'POST', url: `${api.url}${path}`, headers: {} },
    fields: { id: 'id' },
    delete: { method: 'DELETE', url: `${api.url}/gone`, headers: {} },
  });
  const command = (argv: string[], timeout = 10_000): ProvisionerSpec => ({
    kind: 'command',
    timeout,
    create: { command: argv },
    delete: { command: ['true'] },
  });

  it('http: stops reading an answer past 1 MiB and says so', async () => {
    const { error } = await createFails(http('/chunked-huge'));
    assert.equal(error.message, `tenants.demo.create: POST ${api.url}/chunked-huge answered 201: the answer is larger than 1 MiB (Vigil reads no more)`);
    // The server could write ahead into socket buffers, but not the 64 MiB it was ready to send.
    assert.ok((api.sent.get('/chunked-huge') ?? 0) < 32 * MiB, `stopped reading early (${api.sent.get('/chunked-huge')} bytes sent)`);
  });

  it('http: refuses a content-length above 1 MiB without waiting for the body', async () => {
    const { error, ms } = await createFails(http('/declared-huge'));
    assert.match(error.message, /answered 201: the answer is larger than 1 MiB/);
    assert.ok(ms < 2_000, `at once, not at the timeout (${Math.round(ms)} ms)`);
  });

  it('http: names a binary answer by size and first bytes instead of printing it', async () => {
    const { error } = await createFails(http('/binary'));
    assert.equal(
      error.message,
      `tenants.demo.create: POST ${api.url}/binary answered 201: the answer is 10 bytes that are not UTF-8 text, so not JSON (they start ff fe 00 81 7b 22 69 64 …)`,
    );
    const failed = await createFails(http('/binary-500'));
    assert.match(failed.error.message, /answered 500: the answer is 10 bytes that are not UTF-8 text/);
  });

  it('http: the timeout bounds the whole call, body included, when the server trickles forever', async () => {
    const { error, ms } = await createFails(http('/trickle', 600));
    assert.equal(error.message, `tenants.demo.create: POST ${api.url}/trickle timed out after 0.6s`);
    assert.ok(ms >= 550 && ms < 3_000, `ended by the 0.6 s timeout (${Math.round(ms)} ms)`);
  });

  it('command: stops a command printing without end at 1 MiB, long before its timeout', async () => {
    const { error, ms } = await createFails(command(['yes'], 60_000));
    assert.equal(
      error.message,
      'tenants.demo.create: command "yes" printed an answer larger than 1 MiB on stdout; Vigil read no more and stopped its process group',
    );
    assert.ok(ms < 10_000, `stopped at the limit, not the 60 s timeout (${Math.round(ms)} ms)`);
  });

  it('command: accepts an answer just under 1 MiB', async () => {
    const provisioner = createProvisioner('demo', command([process.execPath, '-e', `process.stdout.write(JSON.stringify({ id: 'x'.repeat(${MiB - 100}) }))`]), {
      cwd: process.cwd(),
      log: captureLog().log,
      redact: createRedactor(),
    });
    const fields = await provisioner.create({ name: 'vigil-checkout-abc', environment });
    assert.equal(fields.id.length, MiB - 100);
  });

  it('command: names binary stdout by size and first bytes', async () => {
    const { error } = await createFails(command([process.execPath, '-e', `process.stdout.write(Buffer.from(${JSON.stringify([...BINARY])}))`]));
    assert.equal(
      error.message,
      "tenants.demo.create: command's stdout is 10 bytes that are not UTF-8 text, so not JSON (they start ff fe 00 81 7b 22 69 64 …)",
    );
  });
});
