// A bounded, seeded fuzz pass over the two ways in from outside: config files and the HTTP API.
// Config: vigil.example.yaml mutated (keys and values deleted, duplicated, swapped for other types),
// plus invalid UTF-8, deep nesting and huge strings, through loadConfig: every failure is a ConfigError
// without a stack in its message. API: a real `vigil serve` gets random bodies, types, content types,
// sizes and paths: never a 5xx, always a JSON error body under /api, never a stack trace.
// The seed is fixed so a failure replays; FUZZ_SEED=<n> explores another sequence.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { newToken, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_212);
const CONFIG_CASES = 200;
const API_CASES = 250;
const STACK = /\n\s+at |at [\w.<>]+ \(.*:\d+:\d+\)|node:internal/;

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  'x',
  '',
  '10q',
  '* * *',
  [],
  {},
  [1, 'a'],
  { a: { b: null } },
  '${NOPE}',
  '{{tenant.nope}}',
  '../../etc/passwd',
  'ü\u0000\u202e',
];

/** Every map and sequence node of the document with the path to reach it. */
function collections(doc: Document): Array<{ node: unknown; path: Array<string | number> }> {
  const out: Array<{ node: unknown; path: Array<string | number> }> = [];
  const walk = (node: unknown, at: Array<string | number>) => {
    if (isMap(node)) {
      out.push({ node, path: at });
      for (const pair of node.items) walk(pair.value, [...at, String(isScalar(pair.key) ? pair.key.value : pair.key)]);
    } else if (isSeq(node)) {
      out.push({ node, path: at });
      node.items.forEach((item, i) => {
        walk(item, [...at, i]);
      });
    }
  };
  walk(doc.contents, []);
  return out;
}

/** One structural mutation of the example config, as YAML text. */
function mutateExample(source: string, r: Rng): string {
  const doc = parseDocument(source);
  const times = 1 + r.int(3);
  for (let i = 0; i < times; i++) {
    const targets = collections(doc);
    const { node } = r.pick(targets);
    if (isMap(node) && node.items.length > 0) {
      const pair = r.pick(node.items);
      switch (r.int(4)) {
        case 0: // delete a key
          node.items.splice(node.items.indexOf(pair), 1);
          break;
        case 1: // swap the value for another type
          pair.value = doc.createNode(r.pick(ODD_VALUES));
          break;
        case 2: // duplicate a key under a typo'd or the same name
          node.items.push(doc.createPair(`${String(isScalar(pair.key) ? pair.key.value : 'k')}${r.pick(['', 's', '_'])}`, doc.createNode(r.pick(ODD_VALUES))));
          break;
        default: // the value moves one level down
          pair.value = doc.createNode({ nested: pair.value === null ? null : doc.createNode(String(pair.value)) });
      }
    } else if (isSeq(node) && node.items.length > 0) {
      const idx = r.int(node.items.length);
      if (r.next() < 0.5) node.items.splice(idx, 1);
      else node.items[idx] = doc.createNode(r.pick(ODD_VALUES));
    }
  }
  return doc.toString();
}

/** Text-level damage: the kinds of file a parser meets when things go wrong outside Vigil. */
function damagedText(source: string, r: Rng): string | Buffer {
  switch (r.int(7)) {
    case 0: // invalid UTF-8 in the middle of a value
      return Buffer.concat([Buffer.from(source.slice(0, 400)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(source.slice(400))]);
    case 1: // deep nesting
      return `store: ./x.db\nenvironments: ${'['.repeat(2_000 + r.int(8_000))}`;
    case 2:
      return `store: ./x.db\nenvironments: ${'{a: '.repeat(500 + r.int(1_000))}1${'}'.repeat(10)}`;
    case 3: // a huge string
      return `store: "${'x'.repeat(1_000_000 + r.int(1_000_000))}"\n`;
    case 4: // cut at a random byte
      return source.slice(0, r.int(source.length));
    case 5: // random bytes
      return Buffer.from(Array.from({ length: 1 + r.int(2_000) }, () => r.int(256)));
    default: // a tab, a stray document marker or an anchor to nothing
      return source.replace(/\n {2}/, r.pick(['\n\t', '\n---\n  ', '\n  *nothing ']));
  }
}

describe('fuzz: config files through loadConfig', { timeout: 60_000 }, () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-fuzz-config-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  test(`${CONFIG_CASES} mutated configs: each loads or fails as a ConfigError without a stack`, async () => {
    const example = readFileSync(path.join(repoRoot, 'vigil.example.yaml'), 'utf8');
    const r = rng(SEED);
    const env = { SHOP_ADMIN_TOKEN: 'tok-fuzz-1234567890' };
    const tally = { loaded: 0, configError: 0 };
    const started = performance.now();
    for (let i = 0; i < CONFIG_CASES; i++) {
      const file = path.join(dir, `case-${i}.yaml`);
      const content = r.next() < 0.7 ? mutateExample(example, r) : damagedText(example, r);
      writeFileSync(file, content);
      try {
        await loadConfig({ file, env });
        tally.loaded++;
      } catch (err) {
        const replay = `case ${i} (seed ${SEED}), kept as ${file}`;
        assert.ok(err instanceof ConfigError, `${replay}: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
        assert.doesNotMatch(err.message, STACK, `${replay}: a stack in the message`);
        assert.ok(
          err.message.includes(file) || err.problems.some((p) => /^[\w[\].-]+: /.test(p)),
          `${replay}: names the file or a config path: ${err.message.slice(0, 300)}`,
        );
        tally.configError++;
      }
    }
    assert.equal(tally.loaded + tally.configError, CONFIG_CASES);
    assert.ok(tally.configError > CONFIG_CASES / 4, `the mutations broke something often enough (${JSON.stringify(tally)})`);
    assert.ok(performance.now() - started < 30_000, 'bounded in time');
  });
});

/** A raw request, so broken bodies and content types reach the server exactly as written. */
function raw(
  url: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    // A server may answer 413 and close while a huge body is still being written.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? resolve({ status: 413, type: 'application/json', body: '{"error":"closed"}' }) : reject(err),
    );
    req.end(opts.body);
  });
}

const JSON_VALUES = (r: Rng): unknown => {
  switch (r.int(9)) {
    case 0:
      return { suite: 'quick', environment: 'local', wait: r.pick([true, 'yes', 1, null]) };
    case 1:
      return { suite: r.pick([1, null, [], {}, '', 'nope', '../x', 'quick\u0000']), environment: r.pick(['local', 7, {}, 'mars']) };
    case 2:
      return r.pick([null, 0, 'string', [], [{}], true]);
    case 3:
      return { suite: 'x'.repeat(r.int(100_000)), environment: 'local' };
    case 4:
      return { __proto__: { polluted: true }, constructor: { prototype: { x: 1 } }, suite: 'quick', environment: 'local' };
    case 5:
      return Object.fromEntries(Array.from({ length: r.int(2_000) }, (_, i) => [`k${i}`, i]));
    case 6:
      return JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`);
    case 7:
      return { suite: 'quick', environment: 'local', extra: { deep: Array.from({ length: 50 }, () => r.next()) } };
    default:
      return { runId: 'abc', suite: 'quick', environment: 'local', trigger: 'schedule' };
  }
};

function randomBody(r: Rng): Buffer | string {
  switch (r.int(7)) {
    case 5:
      return `{"suite":${'['.repeat(20_000)}`; // nesting deeper than any parser stack should follow
    case 0:
      return Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]); // broken UTF-8 inside JSON
    case 1:
      return '{"suite": "quick", "environment": '; // cut
    case 2:
      return 'x'.repeat(r.pick([1_000, 200_000, 2_000_000])); // huge, not JSON
    case 3:
      return Buffer.from(Array.from({ length: r.int(4_096) }, () => r.int(256)));
    default:
      return JSON.stringify(JSON_VALUES(r));
  }
}

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  '',
  '*/*',
  'application/json\u0000',
];
const PATH_PARTS = [
  'api',
  'runs',
  'suites',
  'artifacts',
  '..',
  '%2e%2e',
  '%00',
  'x'.repeat(300),
  '%ff',
  '~',
  '.git',
  'index.html',
  '%2F',
  '?limit=-1',
  '?limit=999999999',
  '?status=nope',
  '#frag',
  '..%2f..%2fetc%2fpasswd',
  'metrics',
  '%E2%80%AE',
];

describe('fuzz: the HTTP API of a real vigil serve', { timeout: 120_000 }, () => {
  let e: E2E;
  let s: Served;
  const token = newToken();
  before(async () => {
    e = await setupE2E();
    // A suite that is slow enough to stay busy: triggers that get through do not pile up real runs.
    await writeServeConfig(e, quickSuite('quick', { sleepMs: 60_000, timeout: '2m' }), { token: '${VIGIL_API_TOKEN:-}', readToken: '${VIGIL_READ_TOKEN}' });
    s = await startServe(e, { token, env: { VIGIL_READ_TOKEN: 'read-tok-123456789' } });
  });
  after(async () => {
    await s?.stop();
    await e?.close();
  });

  test(`${API_CASES} random requests: no 5xx, a JSON error body on /api, no stack trace anywhere`, async () => {
    const r = rng(SEED + 1);
    const seen = new Map<number, number>();
    const started = performance.now();
    for (let i = 0; i < API_CASES; i++) {
      let request: Parameters<typeof raw>[1];
      if (r.next() < 0.6) {
        const headers: Record<string, string> = {};
        const type = r.pick(CONTENT_TYPES);
        if (type && !type.includes('\u0000')) headers['content-type'] = type;
        if (r.next() < 0.7)
          headers.authorization = r.pick([`Bearer ${token}`, 'Bearer wrong', 'Basic Og==', `Bearer ${token}\u00ff`.replace(/[^\x20-\x7e]/g, '')]);
        request = {
          method: r.pick(['POST', 'POST', 'PUT', 'DELETE', 'PATCH']),
          path: r.pick(['/api/runs', '/api/runs/', '/api/runs?wait=1', '/api/suites']),
          headers,
          body: randomBody(r),
        };
      } else {
        const parts = Array.from({ length: 1 + r.int(4) }, () => r.pick(PATH_PARTS));
        const root = r.pick(['/api/', '/artifacts/', '/api/runs/', '/']);
        request = {
          method: r.pick(['GET', 'GET', 'HEAD', 'OPTIONS', 'POST']),
          path: root + parts.join('/'),
          headers: r.next() < 0.5 ? { authorization: 'Bearer read-tok-123456789' } : {},
        };
      }
      const answer = await raw(s.url, request);
      const where = `case ${i} (seed ${SEED}): ${request.method} ${request.path.slice(0, 120)} → ${answer.status}`;
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      assert.ok(answer.status < 500, `${where}: ${answer.body.slice(0, 300)}`);
      assert.doesNotMatch(answer.body, STACK, `${where}: a stack trace in the body`);
      if (request.path.startsWith('/api/') && answer.status >= 400 && request.method !== 'HEAD') {
        assert.match(answer.type, /^application\/json/, `${where}: an error under /api is JSON`);
        const parsed = JSON.parse(answer.body) as { error?: unknown };
        assert.equal(typeof parsed.error, 'string', `${where}: with an "error" sentence: ${answer.body.slice(0, 200)}`);
      }
    }
    assert.ok((await fetch(`${s.url}/healthz`)).ok, 'still serving');
    assert.doesNotMatch(s.log(), STACK, 'no stack trace in the server log either');
    assert.ok([...seen.keys()].filter((k) => k >= 400).length >= 3, `several kinds of refusal were met: ${JSON.stringify([...seen])}`);
    assert.ok(performance.now() - started < 30_000, 'bounded in time');
  });
});
