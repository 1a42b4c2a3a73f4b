// Paying the undos a stopped process still owes (docs/scenarios.md, "SIGTERM and kill -9"): as the
// tenant reaper destroys a killed run's tenant, a pass takes each ledger row whose lease ran out (or,
// at start-up, any its own name left before a restart), runs its undo through the same action runner
// as a scenario's cleanup, with the action as the config defines it now, and removes the row when it
// succeeded. A failure, or an undo the config no longer defines, stays owed with its attempt count
// and error, tried again by a later pass after its retry time. One process takes each row.
import type { OwedUndo, RunMarker, ScenarioRunStore, UndoLedger } from '../store/types.ts';
import { scenarioRecord } from './prepare.ts';
import type { ScenarioResult, StepResult } from './types.ts';
import { failureText } from './errors.ts';
import { retryAt } from './owed-undos.ts';
import { type ActionSetting, performAction, placeholders } from './run-action.ts';

// As long as a scenario's cleanup may take; the claim outlasts it, so a replayer killed mid-way
// leaves the row to the next pass after the claim.
const UNDO_TIMEOUT_MS = 2 * 60_000;
const CLAIM_MARGIN_MS = 60_000;

export interface ReplayDeps {
  /** The ledger; with scenarioRuns, a killed process's runs are recorded `interrupted`. */
  store: { undos: UndoLedger; scenarioRuns?: ScenarioRunStore };
  /** The config's actions as loaded now: an undo's definition (and its secrets) never came from the store. */
  actions: ActionSetting;
  /** Who takes the rows (this replica, or the `vigil scenario run` process). */
  owner: string;
  /** serve's logger, or the CLI's lines on stderr. */
  log: { info(fields: object, message: string): void; error(fields: object, message: string): void };
  redact: (text: string) => string;
  clock?: () => Date;
  timeoutMs?: number;
}

export interface ReplayReport {
  ran: OwedUndo[];
  failed: Array<{ undo: OwedUndo; error: string }>;
  /** The runs of a stopped process this pass recorded `interrupted` (a scheduled one with its judged fire). */
  recorded: ScenarioResult[];
}

/** What a log line says of a row: which undo, of which scenario run. */
export const describeUndo = (u: OwedUndo): string =>
  `"${u.undo}"${Object.values(u.params)
    .map((v) => ` ${JSON.stringify(v)}`)
    .join('')} for scenario run ${u.runId} (${u.scenario}${u.schedule ? `, schedule ${u.schedule}` : ''})`;

const fields = (u: OwedUndo) => ({
  undo: u.undo,
  action: u.action,
  params: u.params,
  scenarioRun: u.runId,
  scenario: u.scenario,
  ...(u.schedule ? { schedule: u.schedule } : {}),
  owedBy: u.owner,
  attempts: u.attempts,
});

// Why an owed undo cannot be run with this config, or undefined.
function unrunnable(actions: ActionSetting, u: OwedUndo): string | undefined {
  const action = actions.config.actions[u.undo];
  if (!action)
    return `the undo "${u.undo}" (owed by "${u.action}") is not in scenarios.actions of the config any more: define it again, or restore by hand what "${u.action}" changed and remove the row`;
  const missing = placeholders(action).filter((p) => !(p in u.params));
  if (missing.length)
    return `the undo "${u.undo}" now uses {{${missing.join('}}, {{')}}}, which the owed row does not give (it gives: ${Object.keys(u.params).join(', ') || 'nothing'})`;
  return undefined;
}

/** One pass over the ledger; `formerSelf` also takes the rows this owner's name left (start-up). */
export async function replayOwedUndos(
  deps: ReplayDeps,
  opts: {
    formerSelf?: boolean;
    signal?: AbortSignal /** false: leave killed scheduled runs to serve (it sends their passive result). */;
    scheduledRuns?: boolean;
  } = {},
): Promise<ReplayReport> {
  const { store, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const timeoutMs = deps.timeoutMs ?? UNDO_TIMEOUT_MS;
  const formerSelf = opts.formerSelf ? deps.owner : undefined;
  const report: ReplayReport = { ran: [], failed: [], recorded: [] };
  const now = clock();
  for (const row of await store.undos.due(now, formerSelf)) {
    if (opts.signal?.aborted) break;
    const until = new Date(now.getTime() + timeoutMs + CLAIM_MARGIN_MS);
    if (!(await store.undos.claim(row.id, now, formerSelf, { owner: deps.owner, until }))) continue;
    const problem = unrunnable(deps.actions, row);
    try {
      if (problem) throw new Error(problem);
      const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      await performAction(deps.actions, row.undo, row.params, signal);
    } catch (err) {
      const error = deps.redact(failureText(err));
      report.failed.push({ undo: row, error });
      await store.undos.failed(row.id, error, retryAt(row.attempts + 1, clock()));
      log.error({ ...fields(row), err: error }, `owed undo failed: ${describeUndo(row)}; it stays owed and is tried again`);
      continue;
    }
    await store.undos.paid(row.id);
    report.ran.push(row);
    log.info(fields(row), `owed undo ran: ${describeUndo(row)}, left by ${row.owner}`);
  }
  await recordKilledRuns(deps, report, {
    now: clock(),
    ...(formerSelf ? { formerSelf } : {}),
    ...(opts.scheduledRuns === false ? { scheduledRuns: false } : {}),
  });
  return report;
}

interface Handled {
  u: OwedUndo;
  error?: string;
}

/**
 * The runs a stopped process never recorded: each run's own row in the ledger (written before its first
 * step, removed once it was recorded) whose lease ran out — or its former self's, at start-up — is
 * claimed by one process and the run recorded `interrupted`, with the step it was in and the undos this
 * pass ran for it as its cleanup (paid or failed), so the history, /scenarios and
 * vigil_scenario_runs_total say a run was cut short rather than nothing. Undos paid for a run without a
 * row of its own (left before runs had one) record it the same way unless it is still going.
 */
async function recordKilledRuns(deps: ReplayDeps, report: ReplayReport, opts: { now: Date; formerSelf?: string; scheduledRuns?: boolean }): Promise<void> {
  if (!deps.store.scenarioRuns) return;
  const { now, formerSelf } = opts;
  const handled = Map.groupBy<string, Handled>(
    [...report.ran.map((u) => ({ u })), ...report.failed.map((f) => ({ u: f.undo, error: f.error }))],
    (h) => h.u.runId,
  );
  const until = new Date(now.getTime() + CLAIM_MARGIN_MS);
  for (const marker of await deps.store.undos.runsDue(now, formerSelf)) {
    if (marker.schedule && opts.scheduledRuns === false) continue;
    if (!(await deps.store.undos.claim(marker.id, now, formerSelf, { owner: deps.owner, until }))) continue;
    await recordRun(deps, report, { marker, rows: handled.get(marker.runId) ?? [], now });
    handled.delete(marker.runId);
  }
  if (!handled.size) return;
  const going = new Set((await deps.store.undos.runs()).map((m) => m.runId));
  for (const [runId, rows] of handled) if (!going.has(runId)) await recordRun(deps, report, { rows, now });
}

// One killed run, unless it recorded itself (a finished run whose own undo failed): stored, then its row goes.
async function recordRun(deps: ReplayDeps, report: ReplayReport, killed: { marker?: RunMarker; rows: Handled[]; now: Date }): Promise<void> {
  const { marker, rows } = killed;
  const runId = marker?.runId ?? rows[0].u.runId;
  const scenario = marker?.scenario ?? rows[0].u.scenario;
  try {
    const known = await deps.store.scenarioRuns!.list({ scenario, limit: 200 });
    if (!known.some((r) => r.id === runId)) {
      const result = killedResult(deps.owner, killed);
      await deps.store.scenarioRuns!.save(scenarioRecord(result));
      report.recorded.push(result);
      const owner = marker?.owner ?? rows[0].u.owner;
      deps.log.info(
        { scenarioRun: runId, scenario, ...(marker?.schedule ? { schedule: marker.schedule } : {}), owedBy: owner },
        `a killed scenario run recorded as interrupted: ${runId} (${scenario}${marker?.schedule ? `, schedule ${marker.schedule}` : ''}), left by ${owner}`,
      );
    }
    if (marker) await deps.store.undos.ended(marker.id);
  } catch (err) {
    // The row stays claimed: the first pass after the claim tries again.
    deps.log.error({ scenarioRun: runId, err: deps.redact(failureText(err)) }, 'recording a killed scenario run failed');
  }
}

const quoted = (u: OwedUndo) =>
  `${u.undo} ${Object.values(u.params)
    .map((v) => JSON.stringify(v))
    .join(' ')}`.trim();

/** The record of a killed run: the step it was in (all that is known of its steps), its undos as run afterwards, who stopped. */
export function killedResult(recordedBy: string, killed: { marker?: RunMarker; rows: Handled[]; now: Date }): ScenarioResult {
  const { marker, rows, now } = killed;
  const first = rows[0]?.u;
  const owner = marker?.owner ?? first.owner;
  const at = marker?.at;
  const stopped = `the process running it (${owner}) stopped`;
  const where = at
    ? ` during ${at.cleanup ? `its cleanup "${at.text}"` : `step "${at.keyword} ${at.text}"`}${at.line ? ` (line ${at.line})` : ''}`
    : marker
      ? ' before its first step'
      : '';
  const interruptedAt: StepResult | undefined = at && {
    keyword: at.cleanup ? 'cleanup' : at.keyword,
    text: at.text,
    line: at.line,
    status: 'interrupted',
    durationMs: 0,
    message: `${stopped} during this step (killed, or its machine lost)`,
  };
  const replayed: StepResult[] = rows.map(({ u, error }) => ({
    keyword: '',
    text: quoted(u),
    line: 0,
    status: error ? 'failed' : 'passed',
    durationMs: 0,
    note: `owed by ${u.owner}, run by ${recordedBy} after that process stopped`,
    ...(error ? { message: error } : {}),
  }));
  const scenario = marker?.scenario ?? first.scenario;
  const result: ScenarioResult = {
    id: marker?.runId ?? first.runId,
    file: marker?.file ?? '',
    feature: marker?.feature ?? '',
    scenario,
    line: marker?.line ?? 0,
    status: 'interrupted',
    startedAt: marker?.createdAt ?? rows.map((r) => r.u.createdAt).sort()[0],
    finishedAt: now.toISOString(),
    steps: interruptedAt && !at?.cleanup ? [interruptedAt] : [],
    cleanup: [...(interruptedAt && at?.cleanup ? [interruptedAt] : []), ...replayed],
    note: `${stopped} without recording it (killed, or its machine lost)${where}; ${rows.length ? 'its undos were run afterwards' : 'no undo of it was owed any more'}; recorded by ${recordedBy}`,
  };
  if (!marker?.schedule || !marker.fire) return result;
  // A harness fault, not a finding about the monitoring: UNKNOWN, as a suite run whose replica stopped.
  const line = `${scenario}: could not be carried out (interrupted): ${stopped}${where || ' (killed, or its machine lost)'}`;
  return { ...result, fire: { schedule: marker.schedule, ...marker.fire, state: 3, line } };
}
