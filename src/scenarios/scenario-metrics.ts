// vigil_scenario_* for Prometheus, rebuilt from the store each time: `vigil scenario run` is one-shot,
// so its counters must continue from what earlier runs recorded, as the run exporter restores its own.
// Written to a node_exporter textfile (--metrics-textfile) with the run exporter's atomic writer; a
// registry of its own rather than the run exporter's, which is built around suite × environment pairs.
import { Counter, Gauge, Registry } from 'prom-client';
import { writeTextfile } from '../shared/textfile.ts';
import type { ScenarioRunStore } from '../store/types.ts';
import type { ScenarioResult, ScenarioStatus } from './types.ts';

export const SCENARIO_STATUSES: readonly ScenarioStatus[] = ['passed', 'failed', 'error', 'interrupted'];

export async function scenarioRegistry(runs: ScenarioRunStore): Promise<Registry> {
  const registry = new Registry();
  const total = new Counter({
    name: 'vigil_scenario_runs_total',
    help: 'Scenario runs finished, by outcome.',
    labelNames: ['scenario', 'status'],
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'vigil_scenario_last_success_timestamp_seconds',
    help: 'When the scenario last passed, in seconds since the epoch.',
    labelNames: ['scenario'],
    registers: [registry],
  });
  const timeToDetect = new Gauge({
    name: 'vigil_scenario_time_to_detect_seconds',
    help: "How long after the scenario's last action each Then held, in its last run (absent when it did not hold).",
    labelNames: ['scenario', 'step'],
    registers: [registry],
  });
  const latest = await runs.latest();
  // Every status starts at 0, so rate() and absent() work from the first run on.
  for (const { last } of latest) for (const status of SCENARIO_STATUSES) total.inc({ scenario: last.scenario, status }, 0);
  for (const row of await runs.totals()) total.inc({ scenario: row.scenario, status: row.status }, row.count);
  for (const { last, lastSuccessAt } of latest) {
    if (lastSuccessAt) lastSuccess.set({ scenario: last.scenario }, Date.parse(lastSuccessAt) / 1000);
    for (const step of (last.result as ScenarioResult).steps ?? []) {
      if (step.timeToDetectMs !== undefined) timeToDetect.set({ scenario: last.scenario, step: step.text }, step.timeToDetectMs / 1000);
    }
  }
  return registry;
}

export async function writeScenarioTextfile(runs: ScenarioRunStore, path: string): Promise<void> {
  await writeTextfile({ results: await scenarioRegistry(runs) }, path);
}
