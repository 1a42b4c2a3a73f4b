// Capacity figures for `npm run bench` (also alone: `node bench/capacity.ts`): how many demo-suite runs
// one box holds, four ways, side by side in one process and machine state:
//   today  — each run launches its own full Chromium (the system one, as before issue 14)
//   shell  — each run launches its own browser, Chromium's headless shell for headless projects
//   shared — runs connect to one shared browser (full Chromium)  (browser.shared: true)
//   both   — runs connect to one shared headless shell
// For each: peak PSS per run (its processes + its share of a shared browser, sampled every 0.3 s; the
// median over runs), the box's peak per concurrent run (runs + shared browser + vigil serve, divided by
// the concurrency), and runs/hour at api.concurrency 1, 2 and 4 (`vigil serve`, a burst of
// BENCH_CAPACITY_RUNS_PER_SLOT × concurrency runs through the API, wall time from trigger to last result).
// Then browser launch (and connect) times, and each way's test phase at concurrency 1 over a bare
// `playwright test` of the same suite. The load average is printed next to the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { demoTenantsYaml } from './demo-tenants.ts';
import { startDemo } from '../demo/app.ts';
import { createApiClient } from '../src/api/client.ts';
import type { RunResult } from '../src/core/index.ts';
import { resolveBrowser, SYSTEM_CHROMIUM_ARGS } from '../src/suites/system-browser.ts';
import { startPssSampler } from './pss-sampler.ts';
import { vigilBin, vigilBinEnv } from './service.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const suiteDir = path.join(repoRoot, 'suites/demo');
const RUNS_PER_SLOT = Number(process.env.BENCH_CAPACITY_RUNS_PER_SLOT ?? 2);
const CONCURRENCIES = (process.env.BENCH_CAPACITY_CONCURRENCY ?? '1,2,4').split(',').map(Number);
const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 5);
const BARE_ROUNDS = Number(process.env.BENCH_CAPACITY_BARE ?? 3);
const TOKEN = randomBytes(16).toString('hex');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Way {
  name: 'today' | 'shell' | 'shared' | 'both';
  /** The YAML `browser:` block. */
  browser: string;
}

function ways(): Way[] {
  const system = resolveBrowser({}).browser;
  const full = system.executablePath;
  const args = JSON.stringify(SYSTEM_CHROMIUM_ARGS);
  // `today` pins the full browser for every project, as Vigil did before it knew of the headless shell.
  const today = full ? `executablePath: ${full}, args: ${args}` : `args: []`;
  return [
    { name: 'today', browser: `{ ${today} }` },
    { name: 'shell', browser: `{ args: [] }` },
    { name: 'shared', browser: `{ ${today}, shared: true }` },
    { name: 'both', browser: `{ args: [], shared: true }` },
  ];
}

async function configFor(dir: string, demoUrl: string, way: Way, concurrency: number, suites: number): Promise<string> {
  const file = path.join(dir, `${way.name}-${concurrency}.yaml`);
  await writeFile(
    file,
    `store: ${path.join(dir, `${way.name}-${concurrency}.db`)}
artifacts: { dir: ${path.join(dir, 'artifacts')} }
browser: ${way.browser}
api: { token: "\${VIGIL_API_TOKEN}", concurrency: ${concurrency}, maxQueue: 100, memoryPerRun: 0 }
environments:
  bench: { baseURL: "${demoUrl}", tenants: demo }
${demoTenantsYaml()}suites:
${Array.from({ length: suites }, (_, i) => `  d${i}: { path: ${suiteDir}, environments: [bench], timeout: 5m }`).join('\n')}
`,
  );
  return file;
}

async function startServe(configFile: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(vigilBin, ['serve', '--config', configFile, '--listen', '127.0.0.1:0'], {
    cwd: repoRoot,
    env: { ...env, VIGIL_LOG_FORMAT: 'json', VIGIL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start:\n${log.slice(-2000)}`)), 60_000);
    child.stderr!.on('data', (d) => {
      log += d;
      const m = /"msg":"vigil serving"/.test(log) && /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`vigil serve exited ${code}:\n${log.slice(-2000)}`)));
  });
  return { child, url };
}

async function stopServe(child: ChildProcess) {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await done;
  clearTimeout(timer);
}

/** Triggers one run per suite given, then waits for all of them. */
async function burst(api: ReturnType<typeof createApiClient>, suites: string[]): Promise<RunResult[]> {
  const ids: string[] = [];
  for (const suite of suites) {
    const { status, json } = await api.trigger({ suite, environment: 'bench', wait: false });
    if (status !== 202) throw new Error(`trigger ${suite}: ${status} ${JSON.stringify(json)}`);
    ids.push(String(json.runId));
  }
  const results: RunResult[] = [];
  for (const id of ids) {
    for (;;) {
      const { status, json } = await api.run(id);
      if (status === 200 && json.state === 'finished') {
        results.push(json as unknown as RunResult);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return results;
}

interface Cell {
  runsPerHour: number;
  perRunPeakMiB: number;
  boxPerRunMiB: number;
  notPassed: number;
  testPhaseSec: number[];
}

async function measure(dir: string, demoUrl: string, adminToken: string, way: Way, concurrency: number): Promise<Cell> {
  const runs = Math.max(3, RUNS_PER_SLOT * concurrency);
  const configFile = await configFor(dir, demoUrl, way, concurrency, runs);
  const serve = await startServe(configFile, vigilBinEnv(path.join(dir, 'compile-cache'), { DEMO_ADMIN_TOKEN: adminToken, VIGIL_API_TOKEN: TOKEN }));
  try {
    const api = createApiClient({ server: serve.url, token: TOKEN, timeoutMs: 60_000 });
    // One run first: a shared browser starts, page cache fills. The figures are the steady state after it.
    await burst(api, ['d0']);
    const sampler = startPssSampler(serve.child.pid!);
    const t0 = performance.now();
    const results = await burst(
      api,
      Array.from({ length: runs }, (_, i) => `d${i}`),
    );
    const wallMs = performance.now() - t0;
    const pss = await sampler.stop(results.map((r) => r.runId));
    return {
      runsPerHour: (runs / wallMs) * 3_600_000,
      perRunPeakMiB: median([...pss.perRunPeakMiB.values()]),
      // The box holds `concurrency` runs at once: that is what one more slot of api.concurrency costs.
      boxPerRunMiB: pss.boxPeakMiB / concurrency,
      notPassed: results.filter((r) => r.status !== 'passed').length,
      testPhaseSec: results.map((r) => r.phases.test),
    };
  } finally {
    await stopServe(serve.child);
  }
}

/** Median ms of `LAUNCHES` launches (and connects to a launchServer), with the repo's own Playwright. */
async function launchTimes(): Promise<string[]> {
  const { chromium } = createRequire(import.meta.url)('playwright') as typeof import('playwright');
  const system = resolveBrowser({}).browser;
  const time = async (fn: () => Promise<{ close(): Promise<void> }>) => {
    const ms: number[] = [];
    for (let i = 0; i < LAUNCHES; i++) {
      const t0 = performance.now();
      const b = await fn();
      ms.push(performance.now() - t0);
      await b.close();
    }
    return median(ms);
  };
  const args = system.args ?? [];
  const full = await time(() => chromium.launch({ ...(system.executablePath ? { executablePath: system.executablePath } : {}), args }));
  const shell = await time(() => chromium.launch({ ...(system.headlessExecutablePath ? { executablePath: system.headlessExecutablePath } : {}), args }));
  const server = await chromium.launchServer({
    ...(system.headlessExecutablePath ? { executablePath: system.headlessExecutablePath } : {}),
    args,
    host: '127.0.0.1',
    port: 0,
  });
  const connect = await time(() => chromium.connect(server.wsEndpoint()));
  await server.close();
  return [
    `browser launch (median of ${LAUNCHES}): full Chromium ${full.toFixed(0)} ms (${system.executablePath ?? "Playwright's"}), headless shell ${shell.toFixed(0)} ms (${system.headlessExecutablePath ?? "Playwright's"}), connect to a shared browser ${connect.toFixed(0)} ms`,
  ];
}

/** A bare `playwright test` of the demo suite, as a developer runs it (full system Chromium), in seconds. */
async function bare(demoUrl: string, adminToken: string): Promise<number[]> {
  const system = resolveBrowser({}).browser;
  const cli = path.join(repoRoot, 'node_modules/@playwright/test/cli.js');
  const out: number[] = [];
  for (let i = 0; i < BARE_ROUNDS; i++) {
    const res = await fetch(`${demoUrl}/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bare-${i}-${randomBytes(3).toString('hex')}` }),
    });
    const tenant = (await res.json()) as { id: string; owner: { email: string; password: string } };
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [cli, 'test'], {
        cwd: suiteDir,
        stdio: 'ignore',
        env: {
          ...process.env,
          CI: '1',
          BASE_URL: demoUrl,
          VIGIL_TENANT_EMAIL: tenant.owner.email,
          VIGIL_TENANT_PASSWORD: tenant.owner.password,
          ...(system.executablePath ? { CHROMIUM_PATH: system.executablePath } : {}),
        },
      });
      child.on('close', resolve);
    });
    out.push((performance.now() - t0) / 1000);
    await fetch(`${demoUrl}/admin/tenants/${tenant.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    if (code !== 0) throw new Error(`bare playwright test failed (exit ${code})`);
  }
  return out;
}

export async function benchCapacity(): Promise<string[]> {
  const adminToken = randomBytes(16).toString('hex');
  const demo = await startDemo({ port: 0, adminToken });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-capacity-'));
  const lines: string[] = [
    `capacity (demo suite, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average at start ${load()})`,
  ];
  try {
    lines.push(...(await launchTimes()));
    const bareSec = median(await bare(demo.url, adminToken));
    lines.push(`bare playwright test (full Chromium): ${bareSec.toFixed(2)} s`);
    const table: string[] = [];
    const header = `| way | ${CONCURRENCIES.map((c) => `c=${c}: PSS/run, box/run, runs/h`).join(' | ')} | test phase c=1 / bare | load |`;
    table.push(header, `|${'---|'.repeat(CONCURRENCIES.length + 3)}`);
    for (const way of ways()) {
      const cells: Cell[] = [];
      for (const c of CONCURRENCIES) {
        process.stderr.write(`capacity: ${way.name} at concurrency ${c} (load ${load()})\n`);
        cells.push(await measure(dir, demo.url, adminToken, way, c));
      }
      const ratio = median(cells[0].testPhaseSec) / bareSec;
      const bad = cells.reduce((n, c) => n + c.notPassed, 0);
      table.push(
        `| ${way.name} | ${cells.map((c) => `${c.perRunPeakMiB.toFixed(0)} MiB, ${c.boxPerRunMiB.toFixed(0)} MiB, ${c.runsPerHour.toFixed(0)}`).join(' | ')} | ${ratio.toFixed(3)} | ${load()}${bad ? ` | ${bad} runs not passed!` : ''} |`,
      );
    }
    lines.push(...table);
  } finally {
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.main) process.stdout.write(`${(await benchCapacity()).join('\n')}\n`);
