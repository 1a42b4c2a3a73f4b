// Service-mode figures for `npm run bench` (also runnable alone: `node bench/service.ts`):
//   idle RSS  — `vigil serve` with 20 suites scheduled far in the future (no run, so no browser), target ≤ 80 MB,
//               started as an operator starts it: the `vigil` bin (src/cli/vigil.js, its shebang's Node
//               flags), with a compile cache of its own. The figure is the second start's; the first start
//               after an install (cold cache: Node loads its TypeScript stripper) is given next to it.
//   /metrics  — latency with 1,000 suite × environment series restored from a seeded store, target ≤ 20 ms
//               (median and p95 over METRICS_REQUESTS sequential requests on loopback, request to last byte)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/core/index.ts';
import { openStore } from '../src/store/open-store.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const METRICS_REQUESTS = Number(process.env.BENCH_METRICS_REQUESTS ?? 200);
const SETTLE_MS = 3_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

// A provisioner that is never called: nothing runs during the bench, and without `list` the start-up
// reaper makes no remote call.
const TENANTS = `tenants:
  idle:
    kind: command
    create: { command: ["true"] }
    delete: { command: ["true"] }
`;

function configYaml(dir: string, suites: number, environments: number, schedule?: string): string {
  const envs = Array.from({ length: environments }, (_, i) => `e${i}`);
  return `store: ${path.join(dir, 'vigil.db')}
artifacts: { dir: ${path.join(dir, 'artifacts')} }
environments:
${envs.map((e) => `  ${e}: { baseURL: "http://127.0.0.1:9", tenants: idle }`).join('\n')}
${TENANTS}suites:
${Array.from({ length: suites }, (_, i) => `  s${i}: { path: ${path.join(repoRoot, 'test/fixtures/quick-suite')}, environments: [${envs.join(', ')}]${schedule ? `, schedule: "${schedule}"` : ''} }`).join('\n')}
`;
}

/** The `vigil` bin: the launcher, executed through its shebang as package.json `bin` runs it. */
export const vigilBin = path.join(repoRoot, 'src/cli/vigil.js');

/**
 * The environment of a `vigil` bin run: the Node that runs this bench first on PATH (so the shebang's
 * `env node` finds it), and `compileCache` as NODE_COMPILE_CACHE — the bench's own, so its first start
 * is a cold one.
 */
export function vigilBinEnv(compileCache: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    NODE_COMPILE_CACHE: compileCache,
    ...env,
  };
}

/** `vigil serve` the way package.json `bin` runs it. */
async function startServe(configFile: string, compileCache: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(vigilBin, ['serve', '--config', configFile, '--listen', '127.0.0.1:0'], {
    cwd: repoRoot,
    env: vigilBinEnv(compileCache, { VIGIL_LOG_FORMAT: 'json', VIGIL_LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start:\n${log.slice(-2000)}`)), 30_000);
    child.stderr!.on('data', (d) => {
      log += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"vigil serving"|"msg":"vigil serving".*"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? m[2]);
      }
    });
    child.on('exit', (code) => reject(new Error(`vigil serve exited ${code}:\n${log.slice(-2000)}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess) {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function seed(storeFile: string, suites: number, environments: number): Promise<void> {
  const store = await openStore(storeFile);
  const now = Date.now();
  try {
    for (let s = 0; s < suites; s++) {
      for (let e = 0; e < environments; e++) {
        const status = (['passed', 'flaky', 'failed', 'error'] as const)[(s + e) % 4];
        const result: RunResult = {
          runId: `bench-${s}-${e}`,
          suite: `s${s}`,
          environment: `e${e}`,
          trigger: 'schedule',
          startedAt: new Date(now - 60_000).toISOString(),
          finishedAt: new Date(now - 30_000).toISOString(),
          status,
          ...(status === 'error' ? { errorPhase: 'tenant_setup' as const, errorMessage: 'bench' } : {}),
          phases: { tenant_setup: 0.4, test: 12.5, teardown: 0.2 },
          tests: { total: 6, passed: status === 'failed' ? 5 : 6, failed: status === 'failed' ? 1 : 0, flaky: status === 'flaky' ? 1 : 0, skipped: 0 },
          failures: status === 'failed' ? [{ title: 'search › finds', file: 'tests/search.spec.ts', line: 4, error: 'Error: bench' }] : [],
        };
        await store.runs.save(result);
      }
    }
  } finally {
    await store.close();
  }
}

export async function benchService(): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-serve-'));
  try {
    // Idle: 20 suites on one environment, scheduled once a year. Started twice: the first start fills
    // the compile cache (as the first start after `npm ci` or an upgrade does), the second is the
    // figure, as every later start of the service.
    const compileCache = path.join(dir, 'compile-cache');
    const idleConfig = path.join(dir, 'idle.yaml');
    await writeFile(idleConfig, configYaml(dir, 20, 1, '0 0 1 1 *'));
    const idleRss = async () => {
      const idle = await startServe(idleConfig, compileCache);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const mb = await rssMb(idle.child.pid!);
      await stop(idle.child);
      await rm(path.join(dir, 'vigil.db'), { force: true });
      return mb;
    };
    const coldRss = await idleRss();
    const rss = await idleRss();

    // /metrics: 50 suites × 20 environments = 1,000 pairs, each with a last result in the store.
    const bigConfig = path.join(dir, 'big.yaml');
    await writeFile(bigConfig, configYaml(dir, 50, 20));
    await seed(path.join(dir, 'vigil.db'), 50, 20);
    const big = await startServe(bigConfig, compileCache);
    const times: number[] = [];
    let bytes = 0;
    let series = 0;
    try {
      for (let i = 0; i < 5; i++) await (await fetch(`${big.url}/metrics`)).arrayBuffer(); // warm-up
      // Request sent → last byte received. Decoding and parsing the text is the scraper's work, done
      // once after the loop so its garbage does not land in the bench client's next timed request.
      let body = new ArrayBuffer(0);
      for (let i = 0; i < METRICS_REQUESTS; i++) {
        const t0 = performance.now();
        body = await (await fetch(`${big.url}/metrics`)).arrayBuffer();
        times.push(performance.now() - t0);
      }
      const text = new TextDecoder().decode(body);
      bytes = body.byteLength;
      series = text.split('\n').filter((l) => l.startsWith('probe_success{')).length;
    } finally {
      await stop(big.child);
    }
    const p50 = quantile(times, 0.5);
    const p95 = quantile(times, 0.95);
    return [
      `vigil serve idle RSS, 20 suites scheduled: ${rss.toFixed(1)} MB (target ≤ 80 MB) ${rss <= 80 ? 'OK' : 'OVER TARGET'}; first start after install (cold compile cache): ${coldRss.toFixed(1)} MB`,
      `/metrics with ${series} suite×environment pairs (${(bytes / 1024).toFixed(0)} KB), ${METRICS_REQUESTS} requests: median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target ≤ 20 ms) ${p95 <= 20 ? 'OK' : p50 <= 20 ? 'median OK, p95 OVER TARGET' : 'OVER TARGET'}`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.stdout.write(`${(await benchService()).join('\n')}\n`);
