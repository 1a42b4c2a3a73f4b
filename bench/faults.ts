// Load and fault figures for `npm run bench` (also alone: `node bench/faults.ts`). Loopback only, bounded.
//   flaps      — 1,000 results through the real fan-out + spool to an NRDP stand-in that is down, then flaps
//                (connection refused, no answer, HTTP 500), then comes back: lost, duplicated, order, drain time
//   saturation — the real scheduler, 30 pairs due every second, 3 slots, 20 s: fire drift p99, skips counted,
//                never two runs of one pair at once
//   growth     — 100,000 runs in a store: size on disk, /api/runs latency, then retention
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createApiServer } from '../src/api/server.ts';
import { emptyCounts, type RunResult } from '../src/core/index.ts';
import type { VigilConfig } from '../src/config/schema.ts';
import { createExportFanOut } from '../src/exporters/fan-out.ts';
import { createNrdpTransport } from '../src/exporters/nagios/nrdp.ts';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { openStore } from '../src/store/open-store.ts';
import { passedRun } from '../test/helpers/fake-runs.ts';

const quiet = pino({ level: 'silent' });
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function result(service: number, seq: number, base: number): RunResult {
  const at = new Date(base + seq * 1000).toISOString();
  return {
    runId: `s${service}-${seq}`,
    suite: `suite${service}`,
    environment: 'prod',
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at,
    status: 'passed',
    phases: { tenant_setup: 0, test: 1, teardown: 0 },
    // The count carries the sequence number into the plugin output, so the stand-in can tell results apart.
    tests: { ...emptyCounts(), total: seq, passed: seq },
    failures: [],
  };
}

type Mode = 'down' | 'hang' | 'error' | 'ok';

/** An NRDP stand-in whose behaviour is switched by the bench; records each accepted result once. */
async function nrdpStandIn() {
  let mode: Mode = 'down';
  const received: Array<{ service: string; seq: number }> = [];
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (mode === 'hang') return; // accepted, never answered, nothing recorded: a timeout for Vigil
      if (mode === 'error') return void res.writeHead(500).end('{"result":{"status":-1,"message":"boom"}}');
      const json = JSON.parse(new URLSearchParams(body).get('json') ?? '{}') as { checkresults: Array<{ servicename: string; output: string }> };
      for (const c of json.checkresults) received.push({ service: c.servicename, seq: Number(/(\d+) tests passed/.exec(c.output)?.[1]) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"status":0,"message":"OK"}}');
    });
  };
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  const url = `http://127.0.0.1:${port}/nrdp/`;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  };
  await close(); // starts down: connection refused
  return {
    url,
    received,
    async set(next: Mode) {
      if (next === 'down' && server) await close();
      if (next !== 'down' && !server) await listen();
      mode = next;
    },
    close,
  };
}

export async function benchFlaps(): Promise<string[]> {
  const SERVICES = 20;
  const PER_SERVICE = 50;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-flaps-'));
  const store = await openStore(path.join(dir, 'vigil.db'));
  const nrdp = await nrdpStandIn();
  const config = { environments: { prod: { nagiosHost: 'shop' } }, exporters: { nagios: { timeout: 300 } } } as never;
  const fanOut = createExportFanOut({
    store,
    transports: [createNrdpTransport({ url: nrdp.url, token: 't0ken', timeoutMs: 250 })],
    config,
    log: quiet,
    retry: { baseMs: 20, maxMs: 400 },
  });
  const base = Date.now() - 3_600_000;
  try {
    const publishing: Promise<void>[] = [];
    // Down, then flapping through every failure kind, while the 1,000 results arrive in order per service.
    const flaps: Mode[] = ['down', 'hang', 'ok', 'error', 'down', 'ok', 'hang', 'error', 'down'];
    let flap = 0;
    for (let seq = 1; seq <= PER_SERVICE; seq++) {
      if (seq % 6 === 0) await nrdp.set(flaps[flap++ % flaps.length]);
      for (let s = 0; s < SERVICES; s++) publishing.push(fanOut.publish(result(s, seq, base)));
      await fanOut.retryDue();
      await sleep(10);
    }
    await nrdp.set('down');
    await Promise.all(publishing);
    const spooledAtRecovery = Object.values(await fanOut.pending()).reduce((a, b) => a + b, 0);
    await nrdp.set('ok');
    const back = performance.now();
    let dropped = 0;
    for (let i = 0; i < 2_000 && Object.keys(await fanOut.pending()).length > 0; i++) {
      const summary = await fanOut.retryDue();
      dropped += summary.dropped;
      await sleep(10);
    }
    const drainMs = performance.now() - back;

    // Lost: a result not delivered while no newer one of its service was. Duplicated: received twice.
    const bySvc = new Map<string, number[]>();
    for (const r of nrdp.received) bySvc.set(r.service, [...(bySvc.get(r.service) ?? []), r.seq]);
    let duplicated = 0;
    let outOfOrder = 0;
    let lost = 0;
    for (let s = 0; s < SERVICES; s++) {
      const seqs = bySvc.get(`synthetic-suite${s}`) ?? [];
      duplicated += seqs.length - new Set(seqs).size;
      outOfOrder += seqs.filter((x, i) => i > 0 && x <= seqs[i - 1]).length;
      if (seqs.at(-1) !== PER_SERVICE) lost++;
    }
    lost += Object.values(await fanOut.pending()).reduce((a, b) => a + b, 0) + dropped;
    const ok = lost === 0 && duplicated === 0 && outOfOrder === 0;
    return [
      `flaps: ${SERVICES * PER_SERVICE} results, NRDP down then flapping (refused, no answer, 500), retry base 20 ms`,
      `  delivered ${nrdp.received.length}, superseded by a newer delivered result ${SERVICES * PER_SERVICE - nrdp.received.length} (never sent after it), spooled when it came back ${spooledAtRecovery}`,
      `  lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}; spool drained in ${ms(drainMs)} once back — ${ok ? 'nothing lost' : 'LOST OR DUPLICATED'}`,
    ];
  } finally {
    await fanOut.close();
    await nrdp.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchSaturation(): Promise<string[]> {
  const PAIRS = 30;
  const SECONDS = 20;
  const environments = Array.from({ length: PAIRS }, (_, i) => `e${i}`);
  const suites = { s: { environments, schedule: '* * * * * *' } } as unknown as VigilConfig['suites'];
  const running = new Set<string>();
  let overlaps = 0;
  let most = 0;
  let runs = 0;
  const drift: number[] = [];
  const skips = new Map<string, number>();
  const fired = (at: number) => drift.push(at % 1000);
  const scheduler: ReturnType<typeof createScheduler> = createScheduler({
    config: { suites, environments: Object.fromEntries(environments.map((e) => [e, {}])) as unknown as VigilConfig['environments'] },
    log: quiet,
    concurrency: 3,
    maxQueue: 5,
    onSkip: (_s, _e, reason) => {
      fired(Date.now());
      skips.set(reason, (skips.get(reason) ?? 0) + 1);
    },
    orchestrator: {
      async run({ suite, environment, trigger, runId }): Promise<RunResult> {
        const pair = `${suite}@${environment}`;
        if (running.has(pair)) overlaps++;
        running.add(pair);
        most = Math.max(most, running.size);
        fired(Date.parse(scheduler.find(runId!)?.queuedAt ?? new Date().toISOString()));
        await sleep(200 + Math.random() * 600);
        running.delete(pair);
        runs++;
        return passedRun({ suite, environment, trigger, runId });
      },
    },
  });
  scheduler.start();
  await sleep(SECONDS * 1000);
  await scheduler.stop({ graceMs: 2_000 });
  const due = drift.length;
  const skipped = [...skips.values()].reduce((a, b) => a + b, 0);
  const ok = overlaps === 0 && most <= 3;
  return [
    `saturation: ${PAIRS} pairs due every second, concurrency 3, maxQueue 5, ${SECONDS} s`,
    `  fires seen ${due}: ran ${runs}, skipped ${skipped} (${[...skips].map(([k, v]) => `${k} ${v}`).join(', ')}), all counted`,
    `  fire drift p50 ${ms(quantile(drift, 0.5))}, p99 ${ms(quantile(drift, 0.99))}; at most ${most} running; two runs of one pair at once: ${overlaps} — ${ok ? 'nothing lost' : 'OVERLAP'}`,
  ];
}

export async function benchGrowth(total = 100_000): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-growth-'));
  const file = path.join(dir, 'vigil.db');
  const store = await openStore(file);
  const base = Date.now() - total * 60_000;
  try {
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const r = result(i % 20, i, base);
      r.startedAt = r.finishedAt = new Date(base + i * 60_000).toISOString();
      if (i % 10 === 0)
        Object.assign(r, {
          status: 'failed',
          failures: [{ title: 'cart › pays', file: 'cart.spec.ts', line: 4, error: 'Error: expected paid, got declined' }],
        });
      await store.runs.save(r);
    }
    const writeS = (performance.now() - started) / 1000;
    const size = async () => {
      let bytes = 0;
      for (const ext of ['', '-wal']) bytes += (await stat(file + ext).catch(() => ({ size: 0 }))).size;
      return bytes / 1e6;
    };
    const api = await createApiServer({
      store,
      listen: '127.0.0.1:0',
      log: quiet,
      metrics: { contentType: 'text/plain', metrics: async () => '' } as never,
      artifactsDir: dir,
    } as never);
    let failedRequests = 0;
    const get = async (url: string) => {
      try {
        const res = await fetch(url);
        await res.text();
        if (!res.ok) failedRequests++;
      } catch (err) {
        failedRequests++;
        process.stderr.write(`growth: ${url} failed: ${String((err as Error).cause ?? err)}\n`);
      }
    };
    const latency = async () => {
      const xs: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        await get(`${api.url}/api/runs?suite=suite3&environment=prod&limit=50`);
        await get(`${api.url}/api/runs`);
        xs.push((performance.now() - t) / 2);
      }
      return xs;
    };
    const before = { mb: await size(), l: await latency() };
    const t = performance.now();
    const removed = await store.runs.retain({ keep: 2_000, maxAgeMs: 90 * 86_400_000, now: new Date() });
    const retainMs = performance.now() - t;
    const after = { l: await latency() };
    await api.close();
    await store.close();
    const vacuumed = await openStore(file);
    vacuumed.close();
    return [
      `growth: ${total.toLocaleString('en')} runs saved in ${writeS.toFixed(1)} s; store ${before.mb.toFixed(1)} MB (${((before.mb * 1e6) / total).toFixed(0)} B a run)`,
      `  /api/runs p50 ${ms(quantile(before.l, 0.5))}, p95 ${ms(quantile(before.l, 0.95))}`,
      `  retention runs.keep 2000 (20 pairs): removed ${removed.toLocaleString('en')} in ${ms(retainMs)}; /api/runs p50 ${ms(quantile(after.l, 0.5))}, p95 ${ms(quantile(after.l, 0.95))} — ${failedRequests === 0 ? 'nothing lost' : `${failedRequests} REQUESTS FAILED`} (newest run and success of every pair kept)`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const bench of [benchFlaps, benchSaturation, benchGrowth]) process.stdout.write(`${(await bench()).join('\n')}\n`);
}
