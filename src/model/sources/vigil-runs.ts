// The Vigil source: the last RunResult of a suite × environment from Vigil's own store. Its state is
// the Nagios state Vigil exports for it (passed OK, flaky WARNING, failed CRITICAL, error UNKNOWN), so
// the model and the passive results agree — including a passed run raised by its error queries.
import { runExitCode, STATES, targetKey, type RunResult } from '../../core/index.ts';
import { messageOf } from '../../shared/errors.ts';
import type { CheckStatus } from '../types.ts';
import { DEFAULT_FRESHNESS_MS, formatAge } from './nagios-check.ts';

export interface RunLookup {
  list(query: { suite: string; environment: string; limit: number }): Promise<RunResult[]>;
}

/** Last result per `suite@environment`, or why the store could not be read. */
export type VigilRead = { ok: true; last: Map<string, RunResult> } | { ok: false; error: string };

export async function readVigilRuns(open: () => RunLookup | Promise<RunLookup>, pairs: Array<{ suite: string; environment: string }>): Promise<VigilRead> {
  try {
    const runs = await open();
    const last = new Map<string, RunResult>();
    for (const { suite, environment } of pairs) {
      const key = targetKey(suite, environment);
      if (last.has(key)) continue;
      const [newest] = await runs.list({ suite, environment, limit: 1 });
      if (newest) last.set(key, newest);
    }
    return { ok: true, last };
  } catch (err) {
    return { ok: false, error: `Vigil's store cannot be read: ${messageOf(err)}` };
  }
}

const summary = (run: RunResult): string => {
  const t = run.tests;
  if (run.status === 'error') return `error: ${run.errorMessage ?? run.errorPhase ?? 'the run could not test the app'}`;
  const first = run.failures[0] ? `: ${run.failures[0].title}` : '';
  return `${run.status}: ${t.passed} of ${t.total} tests passed${t.failed ? `, ${t.failed} failed${first}` : ''}${t.flaky ? `, ${t.flaky} flaky` : ''}`;
};

export function resolveVigilCheck(
  spec: { suite: string; environment: string },
  read: VigilRead | undefined,
  ctx: { nowMs: number; freshnessMs?: number },
): CheckStatus {
  const key = targetKey(spec.suite, spec.environment);
  const freshnessMs = ctx.freshnessMs ?? DEFAULT_FRESHNESS_MS;
  const base = { id: `vigil:${key}`, source: 'vigil' as const, downtime: false, acknowledged: false, freshnessMs, green: false, red: false };
  if (!read?.ok) {
    return {
      ...base,
      state: 'UNKNOWN',
      raw: '',
      reason: 'unreachable',
      output: '',
      lastCheck: null,
      detail: read ? read.error : "Vigil's store is not available",
    };
  }
  const run = read.last.get(key);
  if (!run) {
    return { ...base, state: 'UNKNOWN', raw: '', reason: 'missing', output: '', lastCheck: null, detail: `no run of ${key} in Vigil's store` };
  }
  const state = STATES[runExitCode(run)];
  const common = { ...base, state, raw: run.status, output: summary(run), lastCheck: run.finishedAt };
  const ageMs = ctx.nowMs - Date.parse(run.finishedAt);
  if (!(ageMs <= freshnessMs)) {
    return { ...common, reason: 'stale', detail: `last run finished ${formatAge(ageMs)} ago, older than its freshness ${formatAge(freshnessMs)}` };
  }
  return { ...common, reason: 'fresh', green: state === 'OK', red: state === 'CRITICAL' };
}
