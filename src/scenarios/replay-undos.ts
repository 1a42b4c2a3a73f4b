// Paying the undos a stopped process still owes (docs/scenarios.md, "SIGTERM and kill -9"): as the
// tenant reaper destroys a killed run's tenant, a pass takes each ledger row whose lease ran out (or,
// at start-up, any its own name left before a restart), runs its undo through the same action runner
// as a scenario's cleanup, with the action as the config defines it now, and removes the row when it
// succeeded. A failure, or an undo the config no longer defines, stays owed with its attempt count
// and error, tried again by a later pass after its retry time. One process takes each row.
import type { OwedUndo, ScenarioRunStore, UndoLedger } from '../store/types.ts';
import { scenarioRecord } from './prepare.ts';
import type { StepResult } from './types.ts';
import { failureText } from './errors.ts';
import { retryAt } from './owed-undos.ts';
import { type ActionSetting, performAction, placeholders } from './run-action.ts';

// As long as a scenario's cleanup may take; the claim outlasts it, so a replayer killed mid-way
// leaves the row to the next pass after the claim.
const UNDO_TIMEOUT_MS = 2 * 60_000;
const CLAIM_MARGIN_MS = 60_000;

export interface ReplayDeps {
  /** The ledger; with scenarioRuns, a killed process's run is recorded `interrupted` when its undos are paid. */
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
export async function replayOwedUndos(deps: ReplayDeps, opts: { formerSelf?: boolean; signal?: AbortSignal } = {}): Promise<ReplayReport> {
  const { store, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const timeoutMs = deps.timeoutMs ?? UNDO_TIMEOUT_MS;
  const formerSelf = opts.formerSelf ? deps.owner : undefined;
  const report: ReplayReport = { ran: [], failed: [] };
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
  await recordKilledRuns(deps, report, clock());
  return report;
}

/**
 * A scenario run whose process was killed left no record, only its owed undos: once a pass has handled
 * them, the run is recorded `interrupted` (its cleanup: those undos, paid or failed), so the history,
 * /scenarios and vigil_scenario_runs_total say a run was cut short rather than nothing. A run that
 * recorded itself (its own cleanup failed, the row stayed owed) is left as it was.
 */
async function recordKilledRuns(deps: ReplayDeps, report: ReplayReport, now: Date): Promise<void> {
  const runs = deps.store.scenarioRuns;
  if (!runs) return;
  const handled = [...report.ran.map((u) => ({ u, error: undefined as string | undefined })), ...report.failed.map((f) => ({ u: f.undo, error: f.error }))];
  const byRun = Map.groupBy(handled, (h) => h.u.runId);
  for (const [runId, rows] of byRun) {
    const first = rows[0].u;
    try {
      const known = await runs.list({ scenario: first.scenario, limit: 200 });
      if (known.some((r) => r.id === runId)) continue;
      const cleanup: StepResult[] = rows.map(({ u, error }) => ({
        keyword: '',
        text: `${u.undo} ${Object.values(u.params)
          .map((v) => JSON.stringify(v))
          .join(' ')}`.trim(),
        line: 0,
        status: error ? 'failed' : 'passed',
        durationMs: 0,
        note: `owed by ${u.owner}, run by ${deps.owner} after that process stopped`,
        ...(error ? { message: error } : {}),
      }));
      const startedAt = rows.map((r) => r.u.createdAt).sort()[0];
      await runs.save(
        scenarioRecord({
          id: runId,
          file: '',
          feature: '',
          scenario: first.scenario,
          line: 0,
          status: 'interrupted',
          startedAt,
          finishedAt: now.toISOString(),
          steps: [],
          cleanup,
          note: `the process running it (${first.owner}) stopped without recording it (killed, or its machine lost); its undos were run afterwards`,
        }),
      );
      deps.log.info({ scenarioRun: runId, scenario: first.scenario }, 'a killed scenario run recorded as interrupted');
    } catch (err) {
      deps.log.error({ scenarioRun: runId, err: deps.redact(failureText(err)) }, 'recording a killed scenario run failed');
    }
  }
}
