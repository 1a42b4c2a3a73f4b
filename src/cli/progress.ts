// Human progress for `vigil run` on stderr: one plain line per phase and per finished test, so a pipe
// or a CI log reads as well as a terminal. Nothing here sees a secret: events are redacted upstream.
import type { RunProgress } from '../runs/orchestrator.ts';

const MARK = { passed: '✓', flaky: '±', failed: '✘', skipped: '-' } as const;
const PHASE_TEXT = {
  tenant_setup: (d?: string) => `creating tenant ${d ?? ''}`.trim(),
  test: () => 'running the suite',
  teardown: (d?: string) => `deleting tenant ${d ?? ''}`.trim(),
} as const;

export function createProgressPrinter(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  return (p: RunProgress) => {
    if (p.type === 'phase') {
      write(`[${p.phase}] ${PHASE_TEXT[p.phase](p.detail)}`);
      return;
    }
    const e = p.event;
    if (e.type === 'begin') write(`  ${e.total} test${e.total === 1 ? '' : 's'} to run`);
    else if (e.type === 'test') {
      const retry = e.retry > 0 ? ` (retry ${e.retry})` : '';
      write(`  ${MARK[e.outcome]} ${e.title}${retry} ${(e.durationMs / 1000).toFixed(1)}s`);
    }
  };
}
