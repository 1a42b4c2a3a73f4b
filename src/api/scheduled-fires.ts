// Stored scenario runs grouped by the scheduled fire that ran them (`fire` on the stored result, set by
// `vigil serve`): a fire's outcome is the worst judged state of its scenarios, as its passive service
// says. Read from the store, so it survives a restart and shows the fires of every replica.
import type { NagiosState } from '../core/index.ts';
import { worstJudged } from '../scenarios/scenario-check.ts';
import type { ScenarioFire, ScenarioResult } from '../scenarios/types.ts';
import type { ScenarioRunRecord } from '../store/types.ts';

export interface FireSummary {
  fireId: string;
  schedule: string;
  trigger: ScenarioFire['trigger'];
  /** Worst judged state of its scenarios: 0 OK, 2 CRITICAL, 3 UNKNOWN. */
  state: number;
  line: string;
  finishedAt: string;
  runs: Array<{ id: string; scenario: string; status: string; state: number; line: string; links: { page: string } }>;
}

export const fireOf = (record: ScenarioRunRecord): ScenarioFire | undefined => (record.result as ScenarioResult | undefined)?.fire;

/** The fires among the records (newest first, as the store lists them), optionally of one entry. */
export function firesOf(records: readonly ScenarioRunRecord[], schedule?: string): FireSummary[] {
  const fires = new Map<string, FireSummary>();
  for (const record of records) {
    const fire = fireOf(record);
    if (!fire || (schedule !== undefined && fire.schedule !== schedule)) continue;
    let summary = fires.get(fire.id);
    if (!summary) {
      summary = {
        fireId: fire.id,
        schedule: fire.schedule,
        trigger: fire.trigger,
        state: fire.state,
        line: fire.line,
        finishedAt: record.finishedAt,
        runs: [],
      };
      fires.set(fire.id, summary);
    }
    summary.runs.unshift({
      id: record.id,
      scenario: record.scenario,
      status: record.status,
      state: fire.state,
      line: fire.line,
      links: { page: `/scenarios/${encodeURIComponent(record.id)}` },
    });
  }
  for (const summary of fires.values()) {
    const worst = worstJudged(summary.runs.map((r) => ({ state: r.state as NagiosState, line: r.line })))!;
    summary.state = worst.state;
    summary.line = worst.line;
  }
  return [...fires.values()];
}

/** The badge class of a judged state (the run statuses' colours). */
export const STATE_BADGE: Record<number, string> = { 0: 'passed', 1: 'flaky', 2: 'failed', 3: 'error' };
