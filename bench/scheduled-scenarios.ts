// Scheduled scenarios in `vigil serve` on the example stack (docs/scenarios.md, "On a schedule in
// vigil serve"), for `npm run bench` (also runnable alone: `node bench/scheduled-scenarios.ts`):
//   time to detect — the member-loss scenario scheduled every 10 s until BENCH_SCENARIO_RUNS (default 20)
//                    runs have finished: its Then's time to detect (median, p95, max), as stored;
//   overhead       — the demo suite scheduled every 20 s through the same serve, first alone (phase A)
//                    then with the scenario scheduled (phase B): the test phase of its runs, median and
//                    p95, how long after its fire each run started (it waits while a scenario acts on
//                    its environment), and how many of its runs did not pass, with why.
// One stack, two serve processes in turn, each on its own store. Bounded: each phase stops after
// BENCH_SCENARIO_MINUTES (default 15).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../demo/stack/index.ts';
import type { RunResult } from '../src/core/index.ts';
import { openStore } from '../src/store/open-store.ts';
import { vigilBin, vigilBinEnv } from './service.ts';

const SCENARIO_RUNS = Number(process.env.BENCH_SCENARIO_RUNS ?? 20);
const BASELINE_RUNS = Number(process.env.BENCH_SCENARIO_BASELINE_RUNS ?? 6);
const MAX_MS = Number(process.env.BENCH_SCENARIO_MINUTES ?? 15) * 60_000;
const repoRoot = path.resolve(import.meta.dirname, '..');

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : Number.NaN;
};
const sec = (x: number) => `${x.toFixed(1)} s`;

async function writeConfig(stack: Stack, store: string, withScenario: boolean): Promise<string> {
  const file = path.join(stack.dir, withScenario ? 'vigil-b.yaml' : 'vigil-a.yaml');
  const yaml = stack.vigilYaml({ store, suite: false, recheck: false }).replace('    retries: 1\n', '    retries: 1\n    schedule: "*/20 * * * * *"\n');
  await writeFile(file, yaml);
  if (withScenario) {
    await appendFile(
      file,
      `  schedule:\n    member-loss:\n      file: ${path.join(repoRoot, 'scenarios', 'member-loss.feature')}\n      schedule: "*/10 * * * * *"\n      destructive: true\n      environments: [stack]\n`,
    );
  }
  return file;
}

function serve(stack: Stack, config: string): ChildProcess {
  return spawn(vigilBin, ['serve', '--config', config, '--listen', '127.0.0.1:0', '--grace', '60s'], {
    env: vigilBinEnv(path.join(stack.dir, 'compile-cache'), { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(90_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

interface Phase {
  suiteRuns: RunResult[];
  detectS: number[];
  scenarioStatuses: string[];
  /** Where each run that did not pass stopped, and why. */
  firstFailures: string[];
}

async function phase(stack: Stack, name: string, withScenario: boolean, say: (line: string) => void): Promise<Phase> {
  const store = path.join(stack.dir, `${name}.db`);
  const child = serve(stack, await writeConfig(stack, store, withScenario));
  const started = Date.now();
  const read = async (): Promise<Phase> => {
    const s = await openStore(store);
    try {
      const scenarios = await s.scenarioRuns.list({ limit: 1000 });
      // The scenario's own "When I run the suite" runs are evidence for its Then, not the scheduled suite's.
      const scenarioText = JSON.stringify(scenarios.map((r) => r.result));
      const suiteRuns = (await s.runs.list({ limit: 1000 })).filter(
        (r) => (r.status !== 'error' || r.errorPhase !== 'interrupted') && !scenarioText.includes(r.runId),
      );
      const detectS = scenarios.flatMap((r) =>
        (r.result as { steps: Array<{ timeToDetectMs?: number }> }).steps.flatMap((st) => (st.timeToDetectMs === undefined ? [] : [st.timeToDetectMs / 1000])),
      );
      const firstFailures = scenarios
        .filter((r) => r.status !== 'passed')
        .map((r) => {
          const bad = (r.result as { steps: Array<{ keyword: string; text: string; status: string; message?: string }> }).steps.find(
            (st) => st.status !== 'passed',
          );
          return bad ? `${r.status} at ${bad.keyword} ${bad.text}: ${(bad.message ?? '').split('\n')[0].slice(0, 160)}` : r.status;
        });
      return { suiteRuns, detectS, scenarioStatuses: scenarios.map((r) => r.status), firstFailures };
    } finally {
      await s.close();
    }
  };
  let last: Phase = { suiteRuns: [], detectS: [], scenarioStatuses: [], firstFailures: [] };
  try {
    for (let i = 0; Date.now() - started < MAX_MS && i < 10_000; i++) {
      await sleep(5_000);
      last = await read().catch(() => last);
      const done = withScenario ? last.scenarioStatuses.length >= SCENARIO_RUNS : last.suiteRuns.length >= BASELINE_RUNS;
      if (i % 12 === 0) say(`  ${name}: ${last.suiteRuns.length} suite runs, ${last.scenarioStatuses.length} scenario runs`);
      if (done) break;
    }
  } finally {
    await stop(child);
  }
  return await read().catch(() => last);
}

/** Why the scheduled suite runs that did not pass did not, counted. */
function suiteFailures(p: Phase): string[] {
  const why = p.suiteRuns
    .filter((r) => r.status !== 'passed' && r.status !== 'flaky')
    .map((r) => `${r.status}${r.errorPhase ? ` in ${r.errorPhase}` : ''}: ${(r.errorMessage ?? r.failures[0]?.error ?? '').split('\n')[0].slice(0, 200)}`);
  return [...new Set(why)].map((w) => `${why.filter((x) => x === w).length}× ${w}`);
}

export async function benchScheduledScenarios(say: (line: string) => void = () => {}): Promise<string[]> {
  const stack = await startStack({ members: 3 });
  try {
    const a = await phase(stack, 'alone', false, say);
    const b = await phase(stack, 'with-scenario', true, say);
    const suiteS = (p: Phase) => p.suiteRuns.map((r) => r.phases.test);
    // The suite fires at :00, :20 and :40 (no jitter): how long after its fire each run started.
    const delayS = (p: Phase) => p.suiteRuns.map((r) => (Date.parse(r.startedAt) % 20_000) / 1000);
    const failed = (p: Phase) => p.suiteRuns.filter((r) => r.status !== 'passed' && r.status !== 'flaky').length;
    const count = (xs: string[], s: string) => xs.filter((x) => x === s).length;
    return [
      'scheduled scenarios in vigil serve (example stack, member loss every 10 s, Thens on Nagios checks every 5 s):',
      `  scenario runs: ${b.scenarioStatuses.length} (passed ${count(b.scenarioStatuses, 'passed')}, failed ${count(b.scenarioStatuses, 'failed')}, error ${count(b.scenarioStatuses, 'error')}, interrupted ${count(b.scenarioStatuses, 'interrupted')})`,
      `  time to detect (each Then, from the destroy): median ${sec(quantile(b.detectS, 0.5))}, p95 ${sec(quantile(b.detectS, 0.95))}, max ${sec(Math.max(...b.detectS))} over ${b.detectS.length} Thens`,
      `  demo suite every 20 s, test phase alone:          median ${sec(quantile(suiteS(a), 0.5))}, p95 ${sec(quantile(suiteS(a), 0.95))} (${a.suiteRuns.length} runs, ${failed(a)} not passed)`,
      `  demo suite every 20 s, with the scenario running: median ${sec(quantile(suiteS(b), 0.5))}, p95 ${sec(quantile(suiteS(b), 0.95))} (${b.suiteRuns.length} runs, ${failed(b)} not passed)`,
      `  demo suite start after its fire, alone: median ${sec(quantile(delayS(a), 0.5))}, max ${sec(Math.max(...delayS(a)))}; with the scenario: median ${sec(quantile(delayS(b), 0.5))}, p95 ${sec(quantile(delayS(b), 0.95))}, max ${sec(Math.max(...delayS(b)))} (a run due while the scenario acts on stack waits for it)`,
      ...[...new Set(b.firstFailures)].map((f) => `    ${b.firstFailures.filter((x) => x === f).length}× ${f}`),
      ...suiteFailures(b).map((f) => `    suite: ${f}`),
    ];
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) process.stdout.write(`${(await benchScheduledScenarios((l) => process.stdout.write(`${l}\n`))).join('\n')}\n`);
