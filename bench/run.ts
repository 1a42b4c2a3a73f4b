// `npm run bench`: what Vigil costs on top of the suite itself.
//
// Runs the demo suite against the demo app, alternating two ways in the same process and machine state:
//   bare  — `playwright test` in suites/demo, as a developer runs it (tenant made beforehand by hand)
//   vigil — `vigil run --json`, whose wall time minus its own tenant_setup and teardown phases is compared
// and prints the median ratio vigil/bare. Target ≤ 1.05. Rounds: BENCH_ROUNDS (default 3).
// Then the service-mode figures (bench/service.ts): idle RSS of `vigil serve`, /metrics latency; and the
// service model's (bench/model.ts): evaluating a model over a status.dat with 50,000 services; and the
// example stack's (bench/stack.ts): time to detect a lost member on results newer than the kill.
// Capacity (bench/capacity.ts): memory per run and runs/hour at concurrency 1, 2, 4, four ways of getting a browser.
// The image (bench/image.ts, with podman): size and largest layers, podman run → /readyz, idle memory.
// Scheduled scenarios (bench/scheduled-scenarios.ts): time to detect over 20 scheduled runs, overhead on suite runs.
// Replicas (bench/replicas.ts, PostgreSQL): API on 100k runs, runs/hour 1 vs 3 replicas, exactly-once fires, kill -9 failover.
// kill -9 (bench/kill9.ts): `vigil serve` SIGKILLed mid-run 20 times: tenants leaked, runs lost, spool entries lost.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoTenantsYaml } from './demo-tenants.ts';
import { startDemo } from '../demo/app.ts';
import type { RunResult } from '../src/core/index.ts';
import { resolveBrowser } from '../src/suites/system-browser.ts';
import { benchCapacity } from './capacity.ts';
import { benchModel } from './model.ts';
import { benchService, vigilBin, vigilBinEnv } from './service.ts';
import { benchStack } from './stack.ts';
import { benchScheduledScenarios } from './scheduled-scenarios.ts';
import { benchFlaps, benchGrowth, benchSaturation } from './faults.ts';
import { benchImage } from './image.ts';
import { benchReplicas } from './replicas.ts';
import { benchKill9 } from './kill9.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const suiteDir = path.join(repoRoot, 'suites/demo');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const adminToken = randomBytes(16).toString('hex');
  const demo = await startDemo({ port: 0, adminToken });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  const { browser } = resolveBrowser({});
  const admin = (method: string, p: string, body?: unknown) =>
    fetch(`${demo.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });

  const configFile = path.join(dir, 'vigil.yaml');
  await writeFile(
    configFile,
    `store: ${path.join(dir, 'vigil.db')}
artifacts: { dir: ${path.join(dir, 'artifacts')} }
${browser.executablePath ? `browser: { executablePath: ${browser.executablePath}, args: ${JSON.stringify(browser.args ?? [])} }` : ''}
environments:
  bench: { baseURL: "${demo.url}", tenants: demo }
${demoTenantsYaml()}suites:
  demo: { path: ${suiteDir}, environments: [bench], timeout: 5m }
`,
  );

  const playwrightCli = path.join(repoRoot, 'node_modules/@playwright/test/cli.js');
  const bare: number[] = [];
  const vigil: number[] = [];
  const overhead: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      // bare: the suite as a developer runs it, against a tenant made beforehand.
      const created = (await (await admin('POST', '/admin/tenants', { name: `bench-${i}-${randomBytes(4).toString('hex')}` })).json()) as {
        id: string;
        owner: { email: string; password: string };
      };
      const b = await timed(process.execPath, [playwrightCli, 'test'], {
        cwd: suiteDir,
        env: {
          ...process.env,
          CI: '1', // Vigil gives the child a CI environment; compare like with like
          BASE_URL: demo.url,
          VIGIL_TENANT_EMAIL: created.owner.email,
          VIGIL_TENANT_PASSWORD: created.owner.password,
          ...(browser.executablePath ? { CHROMIUM_PATH: browser.executablePath } : {}),
        },
      });
      await admin('DELETE', `/admin/tenants/${created.id}`);
      if (b.code !== 0) throw new Error(`bare playwright test failed (exit ${b.code}):\n${b.stdout.slice(-2000)}`);
      bare.push(b.ms);

      // `vigil run` as the `vigil` bin runs it: the launcher through its shebang (its Node flags and
      // compile cache; this Node first on PATH). The cache is the bench's own: round 1 fills it.
      const v = await timed(vigilBin, ['run', '--config', configFile, '--json'], {
        cwd: repoRoot,
        env: vigilBinEnv(path.join(dir, 'compile-cache'), { DEMO_ADMIN_TOKEN: adminToken }),
      });
      if (v.code !== 0) throw new Error(`vigil run failed (exit ${v.code}):\n${v.stderr.slice(-2000)}`);
      const result = JSON.parse(v.stdout) as RunResult;
      const tenantMs = (result.phases.tenant_setup + result.phases.teardown) * 1000;
      vigil.push(v.ms - tenantMs);
      overhead.push(v.ms - tenantMs - result.phases.test * 1000);
      process.stderr.write(
        `round ${i + 1}/${rounds}: bare ${(b.ms / 1000).toFixed(2)}s, vigil ${((v.ms - tenantMs) / 1000).toFixed(2)}s (tenant ${(tenantMs / 1000).toFixed(2)}s excluded)\n`,
      );
    }
  } finally {
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  }

  const ratio = median(vigil) / median(bare);
  const lines = [
    `suite: suites/demo (${rounds} rounds, medians)`,
    `bare playwright test:            ${(median(bare) / 1000).toFixed(2)} s`,
    `vigil run minus tenant phases:   ${(median(vigil) / 1000).toFixed(2)} s`,
    `vigil's own start-up + record:   ${(median(overhead) / 1000).toFixed(2)} s`,
    `ratio vigil/bare:                ${ratio.toFixed(3)} (target ≤ 1.05) ${ratio <= 1.05 ? 'OK' : 'OVER TARGET'}`,
    // Minimums are less sensitive to whatever else the machine does during one round.
    `ratio of fastest rounds:         ${(Math.min(...vigil) / Math.min(...bare)).toFixed(3)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
process.stdout.write(`${(await benchService()).join('\n')}\n`);
process.stdout.write(`${(await benchModel()).join('\n')}\n`);
process.stdout.write(`${(await benchCapacity()).join('\n')}\n`);
process.stdout.write(`${(await benchStack()).join('\n')}\n`);
// Scheduled scenarios in serve (docs/scenarios.md): ~15 min; BENCH_SCENARIO_RUNS shortens it.
process.stdout.write(`${(await benchScheduledScenarios()).join('\n')}\n`);
// Load and fault figures (docs/error-paths.md): each says "nothing lost" only when its check holds.
for (const bench of [benchFlaps, benchSaturation, benchGrowth]) process.stdout.write(`${(await bench()).join('\n')}\n`);
// kill -9 of `vigil serve` mid-run (docs/error-paths.md): ~20 min; BENCH_KILL9_KILLS shortens it.
await benchKill9((line) => process.stdout.write(`${line}\n`));
process.stdout.write(`${(await benchImage()).join('\n')}\n`);
// Replicas on PostgreSQL (docs/deploy.md, "Measured"): ~30 min; BENCH_REPLICAS_MINUTES shortens it.
await benchReplicas((line) => process.stdout.write(`${line}\n`));
