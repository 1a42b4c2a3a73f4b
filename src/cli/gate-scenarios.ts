// `vigil gate --scenario NAME` (docs/service.md, "vigil gate"): a scheduled scenario (scenarios.schedule)
// as part of the gate — after a deploy, does the monitoring of the new stack still notice a member
// loss? With --server the entry is fired on the running `vigil serve` (POST
// /api/scenarios/schedule/:name/run) and its fire polled until it is judged; without, the entry's feature
// file runs here as `vigil scenario run` runs it, under the entry's rules as serve applies them (its
// allow-list, its pauses and maintenance windows: scenario-guards.ts). Each entry counts by its judged
// state, as its passive service does: OK 0 (a negative control failing as designed too), CRITICAL 2,
// UNKNOWN 3.
import path from 'node:path';
import type { ApiClient } from '../api/client.ts';
import { readConfigFile, findConfigFile, loadConfig, type ConfigFile } from '../config/load-config.ts';
import type { VigilConfig } from '../config/schema.ts';
import { STATE_LABEL, type NagiosState } from '../core/index.ts';
import { judgeScenario, loadScenarioConfig, worstJudged, type ScenarioPlan } from '../scenarios/index.ts';
import { createPauses } from '../scheduler/pauses.ts';
import { ConfigError, messageOf, VigilError } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';
import { holdHere } from './entry-holds.ts';
import { runScenarioFiles, type EntryRules } from './scenario-files.ts';
import { allowListProblems, entryEnvironment, holdingPause, pausedRefusal, suitePairs } from './serve/scenario-guards.ts';

export interface GateScenarioResult {
  /** The scheduled entry's name. */
  schedule: string;
  /** Its judged state: 0 OK, 2 CRITICAL, 3 UNKNOWN. */
  exitCode: 0 | 2 | 3;
  elapsedMs: number;
  /** The headline, then one line per scenario of the file. */
  lines: string[];
  fireId?: string;
  runs: Array<{ id: string; scenario: string; status: string; state: number; line: string; link?: string }>;
}

const POLL_MS = 1_000;
const asState = (n: number): 0 | 2 | 3 => (n === 0 ? 0 : n === 2 ? 2 : 3);

function finished(schedule: string, startedAt: number, state: number, runs: GateScenarioResult['runs'], fireId?: string): GateScenarioResult {
  const exitCode = asState(state);
  const head = `SCENARIO ${schedule}: ${STATE_LABEL[exitCode as NagiosState]}`;
  return {
    schedule,
    exitCode,
    elapsedMs: Date.now() - startedAt,
    lines: [runs.length === 1 ? `${head} - ${runs[0].line}` : head, ...(runs.length === 1 ? [] : runs.map((r) => `  ${r.line}`))],
    ...(fireId ? { fireId } : {}),
    runs,
  };
}

const unknown = (schedule: string, startedAt: number, why: string, fireId?: string): GateScenarioResult => ({
  schedule,
  exitCode: 3,
  elapsedMs: Date.now() - startedAt,
  lines: [`SCENARIO ${schedule}: UNKNOWN - ${why}`],
  ...(fireId ? { fireId } : {}),
  runs: [],
});

/** One entry after the other: a server runs one scenario at a time anyway, and each breaks something. */
export async function remoteScenarioGate(api: ApiClient, names: readonly string[], deadline: number): Promise<GateScenarioResult[]> {
  const results: GateScenarioResult[] = [];
  for (const name of names) {
    const startedAt = Date.now();
    try {
      results.push(await fireOnServer(api, name, deadline, startedAt));
    } catch (err) {
      results.push(unknown(name, startedAt, messageOf(err)));
    }
  }
  return results;
}

async function fireOnServer(api: ApiClient, name: string, deadline: number, startedAt: number): Promise<GateScenarioResult> {
  const within = () => ({ timeoutMs: Math.max(1_000, Math.min(30_000, deadline - Date.now())) });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now()))));
  let fireId: string | undefined;
  while (!fireId) {
    if (Date.now() >= deadline) return unknown(name, startedAt, 'timed out before the scenario could be started (another kept running)');
    const { status, json } = await api.request('POST', `/api/scenarios/schedule/${encodeURIComponent(name)}/run`, within());
    if (status === 202) fireId = String(json.fireId);
    else if (status === 409) {
      // Another fire (the cron's, or someone's) holds the one slot: let it end, then start ours.
      process.stderr.write(`vigil gate: scenario ${name} waits: ${String(json.error ?? 'another scenario is running')}\n`);
      await sleep(POLL_MS * 2);
    } else return unknown(name, startedAt, `POST ${api.base}/api/scenarios/schedule/${name}/run answered ${status}: ${String(json.error ?? '')}`);
  }
  process.stderr.write(`vigil gate: waiting for scenario ${name} (fire ${fireId})\n`);
  while (Date.now() < deadline) {
    const { status, json } = await api.request('GET', `/api/scenarios/fires/${encodeURIComponent(fireId)}`, within());
    if (status !== 200) return unknown(name, startedAt, `GET /api/scenarios/fires/${fireId} answered ${status}: ${String(json.error ?? '')}`, fireId);
    if (json.state === 'finished') {
      const runs = ((json.runs as GateScenarioResult['runs']) ?? []).map((r) => ({ ...r, link: `${api.base}/scenarios/${encodeURIComponent(r.id)}` }));
      if (!runs.length) return unknown(name, startedAt, String(json.line ?? 'the fire stored no scenario run'), fireId);
      return finished(name, startedAt, Number(json.judged), runs, fireId);
    }
    await sleep(POLL_MS);
  }
  return unknown(name, startedAt, `timed out waiting for fire ${fireId} (it goes on on the server)`, fireId);
}

/**
 * The entries' feature files run here, one after the other, as `vigil scenario run` would — under the
 * entry's rules, as serve fires it: an allow-list serve would refuse at start refuses the entry, its
 * suite steps may name only its environments, and a pause or maintenance window holding it refuses it
 * (UNKNOWN, nothing done: as the server's 423 for a manual fire). On a store shared with replicas it
 * holds the entry and its environments as their fires do (entry-holds.ts), waiting for them until the
 * deadline.
 */
export async function localScenarioGate(
  opts: { config?: string; document?: ConfigFile },
  names: readonly string[],
  deadline: number,
): Promise<GateScenarioResult[]> {
  const results: GateScenarioResult[] = [];
  let scheduling: Awaited<ReturnType<typeof schedulingConfig>>;
  const startedAt = Date.now();
  try {
    scheduling = await schedulingConfig(opts);
  } catch (err) {
    return names.map((name) => unknown(name, startedAt, messageOf(err)));
  }
  for (const name of names) {
    const began = Date.now();
    try {
      results.push(await runHere(scheduling, name, began, deadline));
    } catch (err) {
      const problems = (err as { problems?: string[] }).problems;
      results.push(unknown(name, began, problems ? problems.join('; ') : messageOf(err)));
    }
  }
  return results;
}

async function runHere(scheduling: Awaited<ReturnType<typeof schedulingConfig>>, name: string, began: number, deadline: number): Promise<GateScenarioResult> {
  const { document, config, schedule } = scheduling;
  const entry = schedule[name];
  if (!entry) throw new ConfigError(`--scenario ${name}: no such entry in scenarios.schedule (it has: ${Object.keys(schedule).join(', ') || 'none'})`);
  const refused = allowListProblems(config, name, entry);
  if (refused.length) throw new ConfigError(refused);
  const file = path.resolve(document.baseDir, entry.file);
  process.stderr.write(`vigil gate: running scenario ${name} (${file}) here\n`);
  const rules: EntryRules = {
    environment: (env) => entryEnvironment(env, name, entry),
    admit: async (plans, store, { owner, say }) => {
      await refuseWhilePaused(config, store, name, entry.environments, plans);
      const gateSays = (line: string) => say(`vigil gate: ${line}`);
      return holdHere(store, { entry: name, environments: entry.environments, owner, deadline, say: gateSays, leaseMs: config.api.lease });
    },
  };
  const { plans, results: ran } = await runScenarioFiles([file], { document, entry: rules });
  const runs = ran.map((result, i) => ({ id: result.id, scenario: result.scenario, status: result.status, ...judgeScenario(result, plans[i].scenario) }));
  if (!runs.length) return unknown(name, began, 'no scenario ran (interrupted)');
  return finished(name, began, worstJudged(runs)!.state, runs);
}

/** A pause (in the store) or a maintenance window (in the config) holding the entry now refuses it, as serve refuses a manual fire. */
async function refuseWhilePaused(config: VigilConfig, store: Store, name: string, environments: readonly string[], plans: readonly ScenarioPlan[]) {
  const pauses = createPauses({ store, windows: config.maintenance, timezone: config.api.timezone });
  try {
    await pauses.refresh();
    const pause = holdingPause(pauses, name, environments, suitePairs(plans));
    if (pause) throw new VigilError(pausedRefusal(name, pause));
  } finally {
    await pauses.close();
  }
}

/** The config that schedules the entries, whole: their allow-lists name its environments, its maintenance windows hold them. */
async function schedulingConfig(opts: { config?: string; document?: ConfigFile }) {
  let document = opts.document;
  if (!document) {
    const source = findConfigFile({ file: opts.config });
    if (!source) throw new ConfigError('--scenario needs the config that schedules it (--config, $VIGIL_CONFIG or ./vigil.yaml)');
    document = await readConfigFile(source, process.env);
  }
  const { config } = await loadConfig({ document });
  return { document, config, schedule: loadScenarioConfig(document).config.schedule };
}
