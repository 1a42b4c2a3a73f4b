// How a scenario run reads in a terminal: progress lines as steps finish (stderr) and a summary
// (stdout) that a person can act on — the failing step with what stood in the way.
import type { ScenarioEvent } from './run-scenario.ts';
import type { ScenarioResult, StepResult } from './types.ts';

const MARK: Record<StepResult['status'], string> = { passed: '✓', failed: '✗', error: '!', skipped: '-', interrupted: '✗' };
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function stepLine(r: StepResult, cleanup = false): string[] {
  const head = `  ${MARK[r.status]} ${cleanup ? 'cleanup: ' : `${r.keyword} `}${r.text}${r.note ? ` — ${r.note}` : ''}${r.status === 'skipped' ? ' (skipped)' : ` [${secs(r.durationMs)}]`}`;
  return [head, ...(r.message ? r.message.split('\n').map((l) => `      ${l}`) : [])];
}

/** Progress for one event, or nothing. */
export function progressLines(e: ScenarioEvent): string[] {
  switch (e.type) {
    case 'scenario':
      return [`Scenario: ${e.plan.scenario.name} (${e.plan.scenario.file}:${e.plan.scenario.line})`];
    case 'step-start':
      return e.step.type === 'outcome' || e.cleanup ? [`  … ${e.cleanup ? 'cleanup: ' : `${e.step.keyword.trim()} `}${e.step.text}`] : [];
    case 'log':
      return [`      ${e.line}`];
    case 'step':
      return stepLine(e.result, e.cleanup);
  }
}

export function summaryLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const took = secs(Date.parse(r.finishedAt) - Date.parse(r.startedAt));
    const detected = r.steps.filter((s) => s.timeToDetectMs !== undefined).map((s) => `${s.text} ${secs(s.timeToDetectMs!)}`);
    lines.push(`${r.status.padEnd(11)} ${r.scenario} (${r.file}:${r.line}) in ${took}${detected.length ? `; time to detect: ${detected.join(', ')}` : ''}`);
    const bad = [...r.steps, ...r.cleanup.map((s) => ({ ...s, keyword: 'cleanup:' }))].filter(
      (s) => s.status === 'failed' || s.status === 'error' || s.status === 'interrupted',
    );
    for (const s of bad) {
      const [headline, ...details] = (s.message ?? '').split('\n');
      lines.push(`  ${r.file}:${s.line}: ${s.keyword} ${s.text}: ${headline}`, ...details.map((d) => `    ${d}`));
    }
  }
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const parts = ['passed', 'failed', 'error', 'interrupted'].filter((s) => count(s)).map((s) => `${count(s)} ${s}`);
  lines.push(`${results.length} scenario${results.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none run'}`);
  return lines;
}

/** 2 when a scenario failed (a finding); else 3 when one could not be carried out (error, interrupted); else 0. */
export function exitCodeOf(results: readonly ScenarioResult[]): number {
  if (results.some((r) => r.status === 'failed')) return 2;
  if (results.some((r) => r.status === 'error' || r.status === 'interrupted')) return 3;
  return 0;
}
