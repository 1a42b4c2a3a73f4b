// `kill -9` of `vigil serve` mid-run, BENCH_KILL9_KILLS times (default 20), for `npm run bench` (also
// alone: `node bench/kill9.ts`; docs/error-paths.md has the figures). What an OOM kill or a crashed Node
// leaves, and whether the next start cleans it up:
//   - the demo app (in this process) as the tenants' provisioner (with `list`, as the reaper needs to find
//     a tenant whose id Vigil never learnt), the demo suite (real Chromium) on 4 suites × 3 environments
//     every 10 s, concurrency 2, the embedded SQLite store, default lease (60 s) and replica name (host:pid,
//     so each start is a new replica and takes over the last one's runs when their lease runs out);
//   - Nagios as an external command file: a FIFO nobody reads for the first half of the kills (every
//     result is spooled), read by this bench from then on;
//   - each round: `vigil serve` started as the bin, killed with SIGKILL (that process only, not its group):
//     odd rounds a random 0–BENCH_KILL9_MAX_DELAY s (default 40) after a run of it is seen running, even
//     rounds 0–BENCH_KILL9_FINISH_WINDOW_MS (default 40) after it logs a run finished (saved, being
//     published and handed over); its Playwright and Chromium processes that outlive it are counted,
//     watched for 10 s, and any still there killed before the next round;
//   - then one more start with the schedules off, left to settle (bounded), then stopped with SIGTERM.
// Counted (want 0 each): tenants leaked (the app's own list; ledger rows not destroyed), runs lost (a run
// the store's ledger, its run slots or the API ever showed without a final row), spool entries lost (a
// run whose result neither reached the FIFO nor was superseded there by a newer one of its service;
// entries left in the spool or dropped). Undos owed and not run: n/a, this bench schedules no scenario;
// a kill -9 mid-scenario and the undo the next start pays are test/stack/undo-ledger.test.ts.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, createWriteStream, openSync, readSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDemo } from '../demo/app.ts';
import { resolveBrowser } from '../src/suites/system-browser.ts';
import { demoTenantsYaml } from './demo-tenants.ts';
import { vigilBin, vigilBinEnv } from './service.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const suiteDir = path.join(repoRoot, 'suites/demo');
const KILLS = Number(process.env.BENCH_KILL9_KILLS ?? 20);
/** Odd kills: a random 0–this many seconds after a run is running (a demo run took 20–45 s, median 24, on 2 busy cores). */
const MAX_DELAY_MS = Number(process.env.BENCH_KILL9_MAX_DELAY ?? 40) * 1000;
/** Even kills: a random 0–this many ms after a run is logged finished — saved, and being published and handed over. */
const FINISH_WINDOW_MS = Number(process.env.BENCH_KILL9_FINISH_WINDOW_MS ?? 40);
/** The command file gets its reader after this many kills (default: half of them). */
const READER_AFTER = Number(process.env.BENCH_KILL9_READER_AFTER ?? Math.floor(KILLS / 2));
const SEED = Number(process.env.BENCH_KILL9_SEED ?? 9);
const SUITES = ['d0', 'd1', 'd2', 'd3'];
const ENVIRONMENTS = ['e0', 'e1', 'e2'];
const PUBLIC_URL = 'http://vigil.bench.invalid';
/** Bounds: a run seen running after a start, the settling after the last start. */
const RUNNING_WITHIN_MS = 120_000;
const FINISHED_WITHIN_MS = 180_000;
/** How long the processes a killed serve leaves are watched before the bench kills them. */
const ORPHANS_WATCHED_MS = 10_000;
const SETTLE_WITHIN_MS = 15 * 60_000;
const FINAL = new Set(['passed', 'flaky', 'failed', 'error']);

/** mulberry32: the kill delays are the same sequence for one seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function configYaml(o: { dir: string; demoURL: string; fifo: string; schedule: string }): string {
  const { browser } = resolveBrowser({});
  return `store: ${path.join(o.dir, 'vigil.db')}
artifacts: { dir: ${path.join(o.dir, 'artifacts')}, keep: 20 }
${browser.executablePath ? `browser: { executablePath: ${browser.executablePath}, args: ${JSON.stringify(browser.args ?? [])} }` : ''}
environments:
${ENVIRONMENTS.map((e) => `  ${e}: { baseURL: "${o.demoURL}", tenants: demo }`).join('\n')}
${demoTenantsYaml({ list: true })}suites:
${SUITES.map((s) => `  ${s}: { path: ${suiteDir}, environments: [${ENVIRONMENTS.join(', ')}], timeout: 2m, schedule: "${o.schedule}" }`).join('\n')}
exporters:
  nagios: { commandFile: ${o.fifo}, timeout: 5s }
api:
  concurrency: 2
  maxQueue: 4
  publicURL: ${PUBLIC_URL}
`;
}

interface Serve {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  /** Resolves at this process's next 'run finished' log line (logged once the run is saved, before it is published). */
  nextFinished(): Promise<void>;
}

/** `vigil serve` as the bin runs it; its log is appended to `logFile`. */
async function startServe(configFile: string, compileCache: string, env: NodeJS.ProcessEnv, log: NodeJS.WritableStream): Promise<Serve> {
  const child = spawn(vigilBin, ['serve', '--config', configFile, '--listen', '127.0.0.1:0'], {
    cwd: repoRoot,
    env: vigilBinEnv(compileCache, { VIGIL_LOG_FORMAT: 'json', VIGIL_LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let waiting: Array<() => void> = [];
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop()!;
    if (lines.some((l) => l.includes('"msg":"run finished"'))) {
      for (const w of waiting) w();
      waiting = [];
    }
  });
  let head = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start in 60 s:\n${head.slice(-2000)}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      log.write(d);
      if (head.length > 200_000) return;
      head += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"vigil serving"/.exec(head);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited (${code ?? signal}) before serving:\n${head.slice(-2000)}`));
    });
  });
  return { child, url, exited, nextFinished: () => new Promise<void>((resolve) => waiting.push(resolve)) };
}

interface ActiveRun {
  runId: string;
  state: string;
  /** Set on runs another (here: an earlier, killed) process holds in the store; absent on this one's. */
  replica?: string;
}

/** Running in this process (the API also lists the runs an earlier, killed process still holds). */
const ownRunning = (r: ActiveRun) => r.state === 'running' && r.replica === undefined;

async function activeRuns(url: string): Promise<ActiveRun[]> {
  const res = await fetch(`${url}/api/runs?limit=1`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { active: ActiveRun[] }).active;
}

/** Processes carrying this bench's marker in their environment (the suites' Playwright, workers, Chromium). */
async function marked(marker: string): Promise<Array<{ pid: number; runId?: string; comm: string }>> {
  const found: Array<{ pid: number; runId?: string; comm: string }> = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = (await readFile(`/proc/${name}/environ`, 'latin1')).split('\0');
      if (!environ.includes(marker)) continue;
      const runId = environ.find((v) => v.startsWith('VIGIL_RUN_ID='))?.slice(13);
      const comm = (await readFile(`/proc/${name}/comm`, 'utf8')).trim();
      found.push({ pid: Number(name), ...(runId ? { runId } : {}), comm });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The command file as Nagios would read it: a FIFO opened for reading, drained every 200 ms. */
function fifoReader(fifo: string) {
  let fd: number | undefined;
  let text = '';
  const buffer = Buffer.alloc(1 << 16);
  const drain = () => {
    if (fd === undefined) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw err;
      }
      if (n === 0) return; // no writer has it open now
      text += buffer.toString('utf8', 0, n);
    }
  };
  const timer = setInterval(drain, 200);
  return {
    open() {
      // Non-blocking: Vigil's O_NONBLOCK open finds a reader from now on.
      fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    },
    lines(): string[] {
      drain();
      return text.split('\n').filter(Boolean);
    },
    close() {
      clearInterval(timer);
      drain();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

interface Delivered {
  runId?: string;
  host: string;
  service: string;
  timestamp: number;
}

/** `[ts] PROCESS_SERVICE_CHECK_RESULT;host;service;state;output\n…run page: <url>/runs/<id>…` */
function parseLine(line: string): Delivered | undefined {
  const m = /^\[(\d+)\] PROCESS_SERVICE_CHECK_RESULT;([^;]+);([^;]+);\d;/.exec(line);
  if (!m) return undefined;
  const run = new RegExp(`run page: ${PUBLIC_URL.replace(/\./g, '\\.')}/runs/([A-Za-z0-9_-]+)`).exec(line);
  return { timestamp: Number(m[1]), host: m[2], service: m[3], ...(run ? { runId: run[1] } : {}) };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

/** `say` hears each line as it is measured (the whole takes ~15–25 min); all of them are returned too. */
export async function benchKill9(say: (line: string) => void = () => {}): Promise<string[]> {
  const out: string[] = [];
  const line = (x: string) => {
    out.push(x);
    say(x);
  };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-kill9-'));
  const adminToken = randomBytes(16).toString('hex');
  const marker = `KILL9_BENCH=${randomBytes(8).toString('hex')}`;
  const demo = await startDemo({ port: 0, adminToken, onError: () => {} });
  const fifo = path.join(dir, 'nagios.cmd');
  execFileSync('mkfifo', [fifo]);
  const reader = fifoReader(fifo);
  const logFile = path.join(dir, 'serve.log');
  const log = createWriteStream(logFile);
  const compileCache = path.join(dir, 'compile-cache');
  const env = { DEMO_ADMIN_TOKEN: adminToken, [marker.split('=')[0]]: marker.split('=')[1] };
  const configFile = path.join(dir, 'vigil.yaml');
  const quietFile = path.join(dir, 'final.yaml');
  await writeFile(configFile, configYaml({ dir, demoURL: demo.url, fifo, schedule: '*/10 * * * * *' }));
  // The last start: the same config with the schedules a year away, so whatever is in the app afterwards
  // was left by the kills.
  await writeFile(quietFile, configYaml({ dir, demoURL: demo.url, fifo, schedule: '0 0 1 1 *' }));
  const admin = async (): Promise<Array<{ id: string; name: string }>> =>
    (
      (await (await fetch(`${demo.url}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(5_000) })).json()) as {
        tenants: Array<{ id: string; name: string }>;
      }
    ).tenants;

  // Everything the app and the API ever showed: tenant names, run ids.
  const tenantsSeen = new Set<string>();
  const runsSeen = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const t of await admin().catch(() => [])) tenantsSeen.add(t.name);
      await sleep(300);
    }
  })();

  const rnd = random(SEED);
  let serve: Serve | undefined;
  const rounds: Array<{
    mode: string;
    delayMs: number;
    running: number;
    orphans: number;
    survivors: number;
    livedMs: number;
    orphanRuns: number;
    comms: string[];
  }> = [];
  try {
    for (let k = 1; k <= KILLS; k++) {
      if (k === READER_AFTER + 1) reader.open();
      serve = await startServe(configFile, compileCache, env, log);
      let seen: ActiveRun[] = [];
      for (const deadline = Date.now() + RUNNING_WITHIN_MS; !seen.some(ownRunning); await sleep(250)) {
        if (Date.now() > deadline) throw new Error(`kill ${k}: no run started within ${RUNNING_WITHIN_MS / 1000} s (log: ${logFile})`);
        seen = await activeRuns(serve.url).catch(() => []);
        for (const r of seen) if (r.state === 'running') runsSeen.add(r.runId);
      }
      // Odd kills: anywhere in a run. Even ones: in the window between a run's save and its hand-over.
      const mode = k % 2 ? 'running' : 'finishing';
      const startedKill = Date.now();
      const poll = async () => {
        seen = await activeRuns(serve!.url).catch(() => seen);
        // Queued runs are not counted: one dropped by the kill never started (no tenant, no result).
        for (const r of seen) if (r.state === 'running') runsSeen.add(r.runId);
      };
      let delayMs = Math.round(rnd() * (mode === 'running' ? MAX_DELAY_MS : FINISH_WINDOW_MS));
      if (mode === 'finishing') {
        const finished = serve.nextFinished();
        let done = false;
        void finished.then(() => (done = true));
        for (const deadline = Date.now() + FINISHED_WITHIN_MS; !done; ) {
          if (Date.now() > deadline) throw new Error(`kill ${k}: no run finished within ${FINISHED_WITHIN_MS / 1000} s (log: ${logFile})`);
          await Promise.race([finished, sleep(500)]);
          if (!done) await poll();
        }
        await sleep(delayMs);
      } else {
        for (const until = Date.now() + delayMs; Date.now() < until; ) {
          await sleep(Math.min(500, until - Date.now()));
          await poll();
        }
      }
      if (mode === 'finishing') delayMs = Date.now() - startedKill;
      // SIGKILL to the serve process only, as the OOM killer or a Node crash ends it.
      serve.child.kill('SIGKILL');
      const killedAt = Date.now();
      await serve.exited;
      // Its suites' processes: do they outlive it, and for how long? Watched, then killed by pid (only
      // processes carrying this bench's marker), so the next round starts clean.
      await sleep(500);
      const orphans = await marked(marker);
      for (const o of orphans) if (o.runId) runsSeen.add(o.runId);
      while (orphans.some((o) => alive(o.pid)) && Date.now() - killedAt < ORPHANS_WATCHED_MS) await sleep(250);
      const lived = Date.now() - killedAt;
      const survivors = orphans.filter((o) => alive(o.pid));
      for (const o of survivors) {
        try {
          process.kill(o.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      for (const deadline = Date.now() + 10_000; survivors.some((o) => alive(o.pid)) && Date.now() < deadline; ) await sleep(100);
      const running = seen.filter(ownRunning).length;
      const comms = [...new Set(orphans.map((o) => o.comm))];
      rounds.push({
        mode,
        delayMs,
        running,
        orphans: orphans.length,
        survivors: survivors.length,
        livedMs: orphans.length ? lived : 0,
        orphanRuns: new Set(orphans.map((o) => o.runId).filter(Boolean)).size,
        comms,
      });
      const when =
        mode === 'running'
          ? `${(delayMs / 1000).toFixed(1)} s after a run was running`
          : `${(delayMs / 1000).toFixed(1)} s after the round began, just after a run was logged finished`;
      const outlived = !orphans.length
        ? 'none of its processes outlived it'
        : `${orphans.length} of its processes outlived it (${comms.join(', ')}): ${survivors.length ? `${survivors.length} still there after ${ORPHANS_WATCHED_MS / 1000} s, killed` : `gone by themselves within ${(lived / 1000).toFixed(1)} s`}`;
      say(
        `kill9 ${k}/${KILLS}: killed ${when}; ${running} running, ${seen.filter((r) => r.state === 'queued').length} queued; ${outlived}${k === READER_AFTER ? '; the command file gets a reader from the next start' : ''}`,
      );
    }

    // The last start: schedules off; settles when the app has no tenant, no run slot is held, every run
    // is handed to the exporters and the spool is empty.
    const restartedAt = Date.now();
    serve = await startServe(quietFile, compileCache, env, log);
    const db = new DatabaseSync(path.join(dir, 'vigil.db'), { readOnly: true });
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    const at: Record<'tenants' | 'runs' | 'handedOver' | 'spool', number | undefined> = {
      tenants: undefined,
      runs: undefined,
      handedOver: undefined,
      spool: undefined,
    };
    for (const deadline = restartedAt + SETTLE_WITHIN_MS; ; await sleep(1_000)) {
      const now = Date.now() - restartedAt;
      if (at.tenants === undefined && (await admin().catch(() => [1])).length === 0) at.tenants = now;
      if (at.runs === undefined && count('SELECT COUNT(*) AS n FROM active_runs') === 0) at.runs = now;
      if (at.handedOver === undefined && count('SELECT COUNT(*) AS n FROM runs WHERE handed_over = 0') === 0) at.handedOver = now;
      if (at.runs !== undefined && at.handedOver !== undefined)
        at.spool = count('SELECT COUNT(*) AS n FROM export_spool') === 0 ? (at.spool ?? now) : undefined;
      if (Object.values(at).every((v) => v !== undefined)) break;
      if (Date.now() > deadline) break;
    }
    db.close();
    const settled = Object.values(at).every((v) => v !== undefined);
    serve.child.kill('SIGTERM');
    await Promise.race([serve.exited, sleep(60_000)]);
    watching = false;
    await watcher;

    // The count.
    const store = new DatabaseSync(path.join(dir, 'vigil.db'), { readOnly: true });
    const runs = store.prepare('SELECT run_id, suite, environment, status, error_phase, started_at, finished_at, handed_over FROM runs').all() as Array<{
      run_id: string;
      suite: string;
      environment: string;
      status: string;
      error_phase: string | null;
      started_at: string;
      finished_at: string;
      handed_over: number;
    }>;
    const ledger = store.prepare('SELECT name, run_id, state FROM tenants').all() as Array<{ name: string; run_id: string; state: string }>;
    const spoolLeft = Number((store.prepare('SELECT COUNT(*) AS n FROM export_spool').get() as { n: number }).n);
    const slotsLeft = Number((store.prepare('SELECT COUNT(*) AS n FROM active_runs').get() as { n: number }).n);
    store.close();
    const byRun = new Map(runs.map((r) => [r.run_id, r]));
    const ledgerByName = new Map(ledger.map((t) => [t.name, t]));
    const appLeft = await admin();
    const notInLedger = [...tenantsSeen].filter((n) => !ledgerByName.has(n));
    const liveRows = ledger.filter((t) => t.state !== 'destroyed');
    const started = new Set([...runsSeen, ...ledger.map((t) => t.run_id)]);
    const lost = [...started].filter((id) => !FINAL.has(byRun.get(id)?.status ?? ''));

    reader.close();
    const delivered = reader.lines().map(parseLine);
    const unreadable = delivered.filter((d) => !d).length;
    const arrivals = new Map<string, number>();
    const newestAt = new Map<string, number>(); // host;service → newest timestamp that arrived
    for (const d of delivered) {
      if (!d) continue;
      if (d.runId) arrivals.set(d.runId, (arrivals.get(d.runId) ?? 0) + 1);
      const key = `${d.host};${d.service}`;
      newestAt.set(key, Math.max(newestAt.get(key) ?? 0, d.timestamp));
    }
    const runTs = (r: { finished_at: string }) => Math.floor(Date.parse(r.finished_at) / 1000);
    const superseded = runs.filter((r) => !arrivals.has(r.run_id) && (newestAt.get(`${r.environment};synthetic-${r.suite}`) ?? 0) >= runTs(r));
    const exportLost = runs.filter((r) => !arrivals.has(r.run_id) && !superseded.includes(r));
    const duplicated = [...arrivals.values()].filter((n) => n > 1).length;
    const logText = await readFile(logFile, 'utf8');
    const dropped = logText.split('\n').filter((l) => l.includes('spooled result dropped') || l.includes('could not be spooled')).length;
    const recordFailed = logText.split('\n').filter((l) => l.includes('could not record a lost run')).length;
    const interrupted = runs.filter((r) => r.error_phase === 'interrupted').length;
    const statuses = new Map<string, number>();
    for (const r of runs) {
      const k = r.status === 'error' ? `error/${r.error_phase}` : r.status;
      statuses.set(k, (statuses.get(k) ?? 0) + 1);
    }
    const orphanRounds = rounds.filter((r) => r.orphans > 0);
    const tenantsLeaked = appLeft.length + liveRows.length;
    const spoolLost = exportLost.length + spoolLeft + dropped;
    const delays = rounds.filter((r) => r.mode === 'running').map((r) => r.delayMs / 1000);
    const count9 = (text: string) => logText.split('\n').filter((l) => l.includes(text)).length;
    const handedOverLate = count9('a run saved by a process that stopped before publishing it');
    const recordedNotReleased = count9('its replica recorded the run but stopped before giving the pair back');
    const durations = runs
      .filter((r) => r.error_phase !== 'interrupted')
      .map((r) => (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000)
      .sort((a, b) => a - b);

    line(
      `kill -9 of vigil serve ×${KILLS} (SQLite, demo suite on ${SUITES.length}×${ENVIRONMENTS.length} pairs every 10 s, concurrency 2, lease 60 s; ${delays.length} kills ${Math.min(...delays).toFixed(1)}–${Math.max(...delays).toFixed(1)} s after a run was running, ${KILLS - delays.length} within ${FINISH_WINDOW_MS} ms of a run logged finished; ${rounds.reduce((n, r) => n + r.running, 0)} runs running at the kills; command file unread for the first ${READER_AFTER} starts)`,
    );
    line(
      `  tenants leaked: ${tenantsLeaked} (in the app after the last stop: ${appLeft.length}; ledger rows not destroyed: ${liveRows.length}${liveRows.length ? ` — ${liveRows.map((t) => `${t.name} ${t.state} run ${t.run_id}`).join(', ')}` : ''}); the app saw ${tenantsSeen.size} tenants, ${notInLedger.length} of them not in the ledger${notInLedger.length ? ` (${notInLedger.join(', ')})` : ''}`,
    );
    line(
      `  runs lost: ${lost.length} of ${started.size} started (seen in the ledger, the API or a surviving process)${lost.length ? ` — ${lost.join(', ')}` : ''}; ${runs.length} recorded: ${[...statuses].map(([k, v]) => `${v} ${k}`).join(', ')}; run slots left: ${slotsLeft}; lost runs that could not be recorded (log): ${recordFailed}; finished runs ${durations.length ? `took ${durations[0].toFixed(0)}–${durations.at(-1)!.toFixed(0)} s (median ${durations[Math.floor(durations.length / 2)].toFixed(0)} s)` : 'none'}; ${handedOverLate} saved by a killed process and published by a later one, ${recordedNotReleased} recorded before the kill and only released after it`,
    );
    line(
      `  spool entries lost: ${spoolLost} (results that neither reached the command file nor were superseded there: ${exportLost.length}${exportLost.length ? ` — ${exportLost.map((r) => r.run_id).join(', ')}` : ''}; left in the spool: ${spoolLeft}; dropped: ${dropped}); ${arrivals.size} of ${runs.length} runs arrived, ${superseded.length} superseded by a newer result of their service (not sent, by design), ${duplicated} arrived more than once (at-least-once)${unreadable ? `; ${unreadable} unreadable lines` : ''}`,
    );
    line(`  undos owed and not run: n/a (the bench schedules no scenario; test/stack/undo-ledger.test.ts covers a kill -9 mid-scenario)`);
    line(
      `  after the last start (schedules off): tenants all deleted from the app after ${at.tenants === undefined ? 'NOT WITHIN 15 min' : fmt(at.tenants)}, every run recorded (no slot held) after ${at.runs === undefined ? 'NOT' : fmt(at.runs)}, every run handed to the exporters after ${at.handedOver === undefined ? 'NOT' : fmt(at.handedOver)}, spool empty after ${at.spool === undefined ? 'NOT' : fmt(at.spool)} — ${interrupted} runs recorded interrupted in all`,
    );
    const lived = orphanRounds.filter((r) => !r.survivors).map((r) => r.livedMs / 1000);
    line(
      `  processes outliving the killed serve (0.5 s after): ${orphanRounds.length ? `${orphanRounds.reduce((n, r) => n + r.orphans, 0)} in ${orphanRounds.length} of ${KILLS} kills (${[...new Set(orphanRounds.flatMap((r) => r.comms))].join(', ')}; ${orphanRounds.reduce((n, r) => n + r.orphanRuns, 0)} runs' suites); ${lived.length ? `gone by themselves within ${Math.max(...lived).toFixed(1)} s in ${lived.length} kills` : ''}${orphanRounds.some((r) => r.survivors) ? `${lived.length ? ', ' : ''}${orphanRounds.reduce((n, r) => n + r.survivors, 0)} still there after ${ORPHANS_WATCHED_MS / 1000} s in ${orphanRounds.filter((r) => r.survivors).length} kills (killed by the bench)` : ''}` : 'none'}`,
    );
    const clean = tenantsLeaked === 0 && lost.length === 0 && spoolLost === 0 && settled;
    if (!clean) {
      line(`  NOT ALL ZERO: store, log and config kept in ${dir}`);
      return out;
    }
  } catch (err) {
    line(`kill9: stopped: ${(err as Error).message}; store, log and config kept in ${dir}`);
    throw err;
  } finally {
    watching = false;
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    for (const o of await marked(marker)) process.kill(o.pid, 'SIGKILL');
    reader.close();
    log.end();
    await demo.close();
  }
  await rm(dir, { recursive: true, force: true });
  return out;
}

if (import.meta.main) await benchKill9((line) => process.stdout.write(`${line}\n`));
