// Replicas on PostgreSQL, for `npm run bench` (also alone: `node bench/replicas.ts`; docs/deploy.md has
// the figures). A throwaway PostgreSQL 15 (test/helpers/postgres.ts), the demo app as the tenants'
// provisioner, `vigil serve` replicas started as an operator starts them (the bin), and a quick suite
// (test/fixtures/quick-suite: no browser, QUICK_SLEEP_MS long) so that 30 pairs a minute fit two cores.
//   api         — /api/runs p50/p95 on a store holding 100,000 runs: PostgreSQL vs the embedded SQLite,
//                 and the per-pair "last run" queries every replica runs every quarter lease
//   runs/hour   — the same burst of triggered runs on 1 replica and on 3, each at concurrency 2
//   exactly once — 3 replicas, 30 pairs on a 1-minute schedule for BENCH_REPLICAS_MINUTES (default 10):
//                 fires expected vs runs recorded (missed, doubled, overlapping)
//   failover    — then `kill -9` a replica that has runs going, BENCH_REPLICAS_KILLS times (default 5):
//                 how long until another replica recorded each of its runs as interrupted (lease 60 s,
//                 the default), tenants left at the end, fires after the lease that did not run
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startDemo } from '../demo/app.ts';
import type { RunResult } from '../src/core/index.ts';
import { createApiServer } from '../src/api/server.ts';
import { openStore } from '../src/store/open-store.ts';
import { resolveBrowser } from '../src/suites/system-browser.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from '../test/helpers/postgres.ts';
import { demoTenantsYaml } from './demo-tenants.ts';
import { vigilBin, vigilBinEnv } from './service.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const quickSuiteDir = path.join(repoRoot, 'test/fixtures/quick-suite');
const MINUTES = Number(process.env.BENCH_REPLICAS_MINUTES ?? 10);
const KILLS = Number(process.env.BENCH_REPLICAS_KILLS ?? 5);
const RUNS = Number(process.env.BENCH_REPLICAS_RUNS ?? 100_000);
/** Which parts: api, throughput, once (default all). */
const PARTS = new Set((process.env.BENCH_REPLICAS_PARTS ?? 'api,throughput,once').split(','));
const SUITES = 10;
const ENVIRONMENTS = ['e0', 'e1', 'e2'];
const SLEEP_MS = 4_000;
const LEASE_MS = 60_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const quiet = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
};

interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  log(): string;
}

/** A cluster on one database: the demo app as provisioner, the quick suite on 10 suites × 3 environments. */
async function cluster(server: TestPostgres, o: { schedule?: string; concurrency: number }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-replicas-'));
  const adminToken = randomBytes(16).toString('hex');
  const token = randomBytes(18).toString('base64url');
  const demo = await startDemo({ port: 0, adminToken, onError: () => {} });
  const url = await server.createDatabase();
  const { browser } = resolveBrowser({});
  const configFile = path.join(dir, 'vigil.yaml');
  const suites = Array.from(
    { length: SUITES },
    (_, i) => `
  q${i}:
    path: ${quickSuiteDir}
    environments: [${ENVIRONMENTS.join(', ')}]
    timeout: 2m
${o.schedule ? `    schedule: "${o.schedule}"\n` : ''}    env: { QUICK_SLEEP_MS: "${SLEEP_MS}" }`,
  ).join('');
  await writeFile(
    configFile,
    `store: "\${VIGIL_DATABASE_URL}"
artifacts: { dir: ${path.join(dir, 'artifacts')} }
${browser.executablePath ? `browser: { executablePath: ${browser.executablePath}, args: ${JSON.stringify(browser.args ?? [])} }` : ''}
environments:
${ENVIRONMENTS.map((e) => `  ${e}: { baseURL: "${demo.url}", tenants: demo }`).join('\n')}
${demoTenantsYaml({ list: true })}suites:${suites}
api:
  token: "\${VIGIL_API_TOKEN}"
  concurrency: ${o.concurrency}
  maxQueue: 40
`,
  );
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const compileCache = path.join(dir, 'compile-cache');
  const replicas: Replica[] = [];

  async function start(name: string): Promise<Replica> {
    const child = spawn(vigilBin, ['serve', '--config', configFile, '--listen', '127.0.0.1:0', '--replica', name], {
      cwd: repoRoot,
      env: vigilBinEnv(compileCache, {
        VIGIL_LOG_FORMAT: 'json',
        VIGIL_LOG_LEVEL: 'info',
        VIGIL_DATABASE_URL: url,
        VIGIL_API_TOKEN: token,
        DEMO_ADMIN_TOKEN: adminToken,
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const served = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log.slice(-2000)}`)), 60_000);
      child.stderr!.on('data', (d) => {
        log += d;
        if (log.length > 4_000_000) log = log.slice(-2_000_000);
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"vigil serving"/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', () => reject(new Error(`${name} exited:\n${log.slice(-2000)}`)));
    });
    const replica = { name, url: served, child, log: () => log };
    replicas.push(replica);
    return replica;
  }

  async function stopAll(): Promise<void> {
    await Promise.all(
      replicas.map(
        (r) =>
          new Promise<void>((resolve) => {
            if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
            r.child.once('exit', () => resolve());
            r.child.kill('SIGTERM');
            setTimeout(() => r.child.kill('SIGKILL'), 60_000).unref();
          }),
      ),
    );
  }

  async function tenantsLeft(): Promise<number> {
    const res = await fetch(`${demo.url}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` } });
    return ((await res.json()) as { tenants: unknown[] }).tenants.length;
  }

  return {
    db,
    token,
    start,
    replicas,
    tenantsLeft,
    stopAll,
    async close() {
      await stopAll();
      await db.end();
      await demo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const pairs = () => Array.from({ length: SUITES }, (_, i) => ENVIRONMENTS.map((environment) => ({ suite: `q${i}`, environment }))).flat();

/** The same burst of 30 triggered runs (one per pair) over `n` replicas: runs an hour. */
async function runsPerHour(server: TestPostgres, n: number): Promise<{ perHour: number; seconds: number; failed: number }> {
  const c = await cluster(server, { concurrency: 2 });
  try {
    for (let i = 0; i < n; i++) await c.start(`r${i + 1}`);
    await sleep(3_000);
    const started = Date.now();
    const all = pairs();
    for (const [i, p] of all.entries()) {
      const r = c.replicas[i % n];
      const res = await fetch(`${r.url}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(p),
      });
      if (res.status !== 202) throw new Error(`trigger ${p.suite}@${p.environment} on ${r.name}: ${res.status} ${await res.text()}`);
    }
    for (const deadline = Date.now() + 15 * 60_000; ; await sleep(500)) {
      const { rows } = await c.db.query<{ n: string; failed: string }>(`SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE status <> 'passed') AS failed FROM runs`);
      if (Number(rows[0].n) >= all.length) {
        const seconds = (Date.now() - started) / 1000;
        return { perHour: Math.round((all.length / seconds) * 3600), seconds, failed: Number(rows[0].failed) };
      }
      if (Date.now() > deadline) throw new Error(`runs/hour: only ${rows[0].n} of ${all.length} runs after 15 min`);
    }
  } finally {
    await c.close();
  }
}

/** 3 replicas, every pair each minute: fires vs runs; then kill -9 during runs. */
async function exactlyOnce(server: TestPostgres): Promise<string[]> {
  const c = await cluster(server, { schedule: '* * * * *', concurrency: 2 });
  try {
    for (const name of ['r1', 'r2', 'r3']) await c.start(name);
    const windowStart = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
    await sleep(windowStart.getTime() - Date.now() + MINUTES * 60_000);
    const windowEnd = new Date(windowStart.getTime() + MINUTES * 60_000 - 1);
    await sleep(45_000); // the last minute's runs finish
    const clean = await fireAccount(c.db, windowStart, windowEnd);

    // Failover: kill -9 a replica with runs going; another records them within the lease.
    const kills: Array<{ seconds: number; runs: number }> = [];
    const killedAt: number[] = [];
    const killedRuns: string[] = [];
    for (let k = 1; k <= KILLS; k++) {
      let victim: Replica | undefined;
      let going: string[] = [];
      for (const deadline = Date.now() + 120_000; !victim && Date.now() < deadline; await sleep(250)) {
        const { rows } = await c.db.query<{ replica: string; run_id: string }>('SELECT replica, run_id FROM active_runs');
        const alive = c.replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
        const busiest = alive
          .map((r) => ({ r, runs: rows.filter((x) => x.replica === r.name).map((x) => x.run_id) }))
          .sort((a, b) => b.runs.length - a.runs.length)[0];
        if (busiest && busiest.runs.length > 0) {
          victim = busiest.r;
          going = busiest.runs;
        }
      }
      if (!victim) throw new Error('no replica had a run going for two minutes');
      const at = Date.now();
      victim.child.kill('SIGKILL');
      killedAt.push(at);
      for (const deadline = at + 3 * LEASE_MS; ; await sleep(250)) {
        const { rows } = await c.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM runs WHERE run_id = ANY($1) AND error_phase = 'interrupted'`, [going]);
        if (Number(rows[0].n) === going.length) break;
        if (Date.now() > deadline) throw new Error(`kill ${k}: ${rows[0].n} of ${going.length} runs recorded after ${(3 * LEASE_MS) / 1000} s`);
      }
      kills.push({ seconds: (Date.now() - at) / 1000, runs: going.length });
      killedRuns.push(...going);
      // Back under a new name (not its own: that would take its runs back at once, not after a lease).
      await c.start(`${victim.name.split('-')[0]}-${k}`);
      await sleep(20_000);
    }
    // After the last kill's lease: every fire ran again.
    const afterStart = new Date(Math.ceil((killedAt.at(-1)! + LEASE_MS * 1.25) / 60_000) * 60_000);
    await sleep(Math.max(0, afterStart.getTime() + 2 * 60_000 - Date.now()));
    const afterEnd = new Date(afterStart.getTime() + 2 * 60_000 - 1);
    await sleep(45_000);
    const after = await fireAccount(c.db, afterStart, afterEnd);
    // The killed replicas' runs: their tenants, as the ledger says; then everything stopped (SIGTERM:
    // runs going are interrupted and their tenants deleted), what is left in the app.
    const killedTenants = (
      await c.db.query<{ state: string; n: string }>(`SELECT state, COUNT(*) AS n FROM tenants WHERE run_id = ANY($1) GROUP BY state`, [killedRuns])
    ).rows;
    await c.stopAll();
    const left = await c.tenantsLeft();
    const secs = kills.map((k) => k.seconds);
    return [
      `exactly once: 3 replicas × concurrency 2, ${pairs().length} pairs every minute for ${MINUTES} min: ${clean.line}`,
      `failover: ${KILLS} × kill -9 of the busiest replica (lease ${LEASE_MS / 1000} s): ${kills.reduce((n, k) => n + k.runs, 0)} runs going, each recorded interrupted after ${Math.min(...secs).toFixed(0)}–${Math.max(...secs).toFixed(0)} s (median ${quantile(secs, 0.5).toFixed(0)} s); their tenants ${killedTenants.map((t) => `${t.n} ${t.state}`).join(', ') || 'none created'}; tenants left in the app after the replicas stopped: ${left}`,
      `  the 2 minutes after the last lease: ${after.line}`,
    ];
  } finally {
    await c.close();
  }
}

async function fireAccount(db: pg.Client, from: Date, to: Date): Promise<{ line: string; ok: boolean }> {
  const minutes = Math.round((to.getTime() + 1 - from.getTime()) / 60_000);
  const expected = minutes * pairs().length;
  const fires = (
    await db.query<{ pair_key: string; fire_at: string; run_id: string }>('SELECT pair_key, fire_at, run_id FROM fires WHERE fire_at >= $1 AND fire_at <= $2', [
      from.toISOString(),
      to.toISOString(),
    ])
  ).rows;
  const runs = new Map(
    (
      await db.query<{ run_id: string; status: string; error_phase: string | null }>(`SELECT run_id, status, error_phase FROM runs WHERE trigger = 'schedule'`)
    ).rows.map((r) => [r.run_id, r]),
  );
  const fireIds = new Set((await db.query<{ run_id: string }>('SELECT run_id FROM fires')).rows.map((f) => f.run_id));
  const ran = fires.filter((f) => runs.has(f.run_id));
  const byStatus = new Map<string, number>();
  for (const f of ran) {
    const r = runs.get(f.run_id)!;
    const k = r.status === 'error' ? `error (${r.error_phase})` : r.status;
    byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
  }
  const withoutFire = [...runs.keys()].filter((id) => !fireIds.has(id)).length;
  const overlaps = (
    await db.query<{ n: string }>(
      `
      SELECT COUNT(*) AS n FROM runs a JOIN runs b ON a.suite = b.suite AND a.environment = b.environment AND a.run_id < b.run_id
      WHERE a.started_at < b.finished_at AND b.started_at < a.finished_at AND a.started_at >= $1 AND a.started_at <= $2`,
      [from.toISOString(), to.toISOString()],
    )
  ).rows[0].n;
  const missed = expected - fires.length;
  const unrun = fires.length - ran.length;
  const ok = missed === 0 && withoutFire === 0 && Number(overlaps) === 0;
  return {
    ok,
    line: `${expected} fires expected, ${fires.length} taken, ${ran.length} ran (${[...byStatus].map(([k, v]) => `${v} ${k}`).join(', ')}), ${unrun} skipped busy; missed ${missed}, doubled ${withoutFire}, overlapping ${overlaps} — ${ok ? 'each fire once' : 'NOT EXACTLY ONCE'}`,
  };
}

/** /api/runs on a store of 100,000 runs, in process (the store's cost, not a replica's). */
async function apiLatency(
  location: string,
): Promise<{ seed: number; byPair: number[]; newest: number[]; one: number[]; lastBySuite: number; lastByLocation: number }> {
  const store = await openStore(location);
  const base = Date.now() - RUNS * 60_000;
  const started = performance.now();
  const all = pairs();
  const make = (i: number): RunResult => {
    const p = all[i % all.length];
    const at = new Date(base + i * 60_000).toISOString();
    const failed = i % 10 === 0;
    return {
      runId: `bench-${i}`,
      ...p,
      trigger: 'schedule',
      startedAt: at,
      finishedAt: at,
      status: failed ? 'failed' : 'passed',
      phases: { tenant_setup: 0.4, test: 4.1, teardown: 0.2 },
      tests: { total: 1, passed: failed ? 0 : 1, failed: failed ? 1 : 0, flaky: 0, skipped: 0 },
      failures: failed ? [{ title: 'answers quickly', file: 'tests/quick.spec.ts', line: 4, error: 'Error: bench' }] : [],
      location: ['eu-west', 'us-east'][i % 2],
    };
  };
  for (let i = 0; i < RUNS; i += 16) await Promise.all(Array.from({ length: Math.min(16, RUNS - i) }, (_, j) => store.runs.save(make(i + j))));
  const seed = (performance.now() - started) / 1000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-api-'));
  const api = await createApiServer({
    store,
    listen: '127.0.0.1:0',
    log: quiet,
    metrics: { contentType: 'text/plain', metrics: async () => '' } as never,
    artifactsDir: dir,
  } as never);
  const timeGet = async (url: string) => {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return performance.now() - t;
  };
  const byPair: number[] = [];
  const newest: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < 200; i++) {
    const p = all[i % all.length];
    byPair.push(await timeGet(`${api.url}/api/runs?suite=${p.suite}&environment=${p.environment}&limit=50`));
    newest.push(await timeGet(`${api.url}/api/runs`));
    one.push(await timeGet(`${api.url}/api/runs/bench-${(i * 7919) % RUNS}`));
  }
  let t = performance.now();
  await store.runs.lastBySuite();
  const lastBySuite = performance.now() - t;
  t = performance.now();
  await store.runs.lastByLocation();
  const lastByLocation = performance.now() - t;
  await api.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { seed, byPair, newest, one, lastBySuite, lastByLocation };
}

/** `say` hears each line as it is measured (the whole takes ~30 min); all of them are returned too. */
export async function benchReplicas(say: (line: string) => void = () => {}): Promise<string[]> {
  if (!postgresAvailable()) return ['replicas: not measured (postgresql-15 is not installed)'];
  const server = await startPostgres();
  const out: string[] = [];
  const lines = {
    push: (...xs: string[]) => {
      for (const x of xs) {
        out.push(x);
        say(x);
      }
    },
  };
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-sqlite-'));
    if (PARTS.has('api'))
      for (const [engine, location] of [
        ['PostgreSQL', await server.createDatabase()],
        ['SQLite', path.join(dir, 'vigil.db')],
      ] as const) {
        const a = await apiLatency(location);
        const p = (xs: number[]) => `p50 ${ms(quantile(xs, 0.5))} p95 ${ms(quantile(xs, 0.95))}`;
        lines.push(
          `api on ${RUNS.toLocaleString('en')} runs, ${engine}: seeded in ${a.seed.toFixed(0)} s; /api/runs?suite&environment ${p(a.byPair)}; /api/runs ${p(a.newest)}; /api/runs/:id ${p(a.one)}; last run per pair ${ms(a.lastBySuite)}, per location ${ms(a.lastByLocation)}`,
        );
      }
    await rm(dir, { recursive: true, force: true });
    if (PARTS.has('throughput')) {
      const one = await runsPerHour(server, 1);
      const three = await runsPerHour(server, 3);
      lines.push(
        `runs/hour, ${pairs().length} triggered runs of a ${SLEEP_MS / 1000} s suite, concurrency 2 a replica: 1 replica ${one.perHour} (${one.seconds.toFixed(0)} s), 3 replicas ${three.perHour} (${three.seconds.toFixed(0)} s) — ×${(three.perHour / one.perHour).toFixed(2)} on this 2-core box${one.failed + three.failed ? `; ${one.failed + three.failed} RUNS NOT PASSED` : ''}`,
      );
    }
    if (PARTS.has('once')) lines.push(...(await exactlyOnce(server)));
  } finally {
    await server.stop();
  }
  return out;
}

if (import.meta.main) await benchReplicas((line) => process.stdout.write(`${line}\n`));
