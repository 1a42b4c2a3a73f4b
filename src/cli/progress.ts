// Human progress for `vigil run` on stderr. A pipe or a CI log gets one plain line per phase and per
// finished test (scripts and the e2e tests read them: `[tenant_setup]`, `[test]`, `✓ <title>`,
// `[teardown]`). A terminal gets the same phase lines but one live line during the tests, rewritten in
// place, so a 300-test suite does not scroll its first failure away; the failures are printed plainly
// when the tests end. Nothing here sees a secret: events are redacted upstream.
import type { RunProgress } from '../runs/orchestrator.ts';

/** What the printer writes to: process.stderr, or anything shaped like it. */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width; the live line is cut to it, since a wrapped line cannot be rewritten with \r. */
  columns?: number;
  write(chunk: string): unknown;
}

export type ProgressPrinter = ((p: RunProgress) => void) & {
  /** Ends the live line, if one is showing. Safe to call more than once. */
  finish(): void;
};

const MARK = { passed: '✓', flaky: '±', failed: '✘', skipped: '-' } as const;
const PHASE_TEXT = {
  tenant_setup: (d?: string) => `creating tenant ${d ?? ''}`.trim(),
  test: () => 'running the suite',
  teardown: (d?: string) => `deleting tenant ${d ?? ''}`.trim(),
} as const;
const CLEAR_LINE = '\r\x1b[2K';
const DEFAULT_COLUMNS = 80;

type Outcome = keyof typeof MARK;
interface Finished {
  title: string;
  outcome: Outcome;
  error?: string;
}

export function createProgressPrinter(out: ProgressStream = process.stderr): ProgressPrinter {
  return out.isTTY ? ttyPrinter(out) : pipePrinter(out);
}

function phaseLine(p: Extract<RunProgress, { type: 'phase' }>): string {
  return `[${p.phase}] ${PHASE_TEXT[p.phase](p.detail)}`;
}

function testLine(e: { title: string; outcome: Outcome; retry: number; durationMs: number }): string {
  const retry = e.retry > 0 ? ` (retry ${e.retry})` : '';
  return `  ${MARK[e.outcome]} ${e.title}${retry} ${(e.durationMs / 1000).toFixed(1)}s`;
}

function pipePrinter(out: ProgressStream): ProgressPrinter {
  const line = (text: string) => out.write(`${text}\n`);
  const print = (p: RunProgress) => {
    if (p.type === 'phase') return void line(phaseLine(p));
    const e = p.event;
    if (e.type === 'begin') line(`  ${e.total} test${e.total === 1 ? '' : 's'} to run`);
    else if (e.type === 'test') line(testLine(e));
  };
  return Object.assign(print, { finish() {} });
}

function ttyPrinter(out: ProgressStream): ProgressPrinter {
  let total: number | undefined;
  // One entry per test, holding its latest attempt: a failed first try that passes on retry is flaky.
  const tests = new Map<string, Finished>();
  let current: string | undefined;
  let live = false;
  let phaseStart = Date.now();
  // A slow test can be silent for minutes: tick the clock so the line shows the run is alive.
  let ticker: ReturnType<typeof setInterval> | undefined;

  const count = (o: Outcome) => [...tests.values()].filter((t) => t.outcome === o).length;

  const render = () => {
    const parts = [`[test] ${tests.size}${total === undefined ? '' : `/${total}`} tests`];
    const failed = count('failed');
    const flaky = count('flaky');
    if (failed) parts.push(`${failed} failed`);
    if (flaky) parts.push(`${flaky} flaky`);
    parts.push(`${Math.round((Date.now() - phaseStart) / 1000)}s`);
    if (current) parts.push(current);
    const width = Math.max(20, (out.columns ?? DEFAULT_COLUMNS) - 1);
    out.write(`${CLEAR_LINE}${truncate(parts.join(' · '), width)}`);
    live = true;
  };

  const endTests = () => {
    clearInterval(ticker);
    ticker = undefined;
    if (!live) return;
    out.write(CLEAR_LINE);
    live = false;
    const counts = (['passed', 'flaky', 'failed', 'skipped'] as const).map((o) => [o, count(o)] as const).filter(([, n]) => n > 0);
    out.write(`  ${tests.size} test${tests.size === 1 ? '' : 's'} finished${counts.length ? `: ${counts.map(([o, n]) => `${n} ${o}`).join(', ')}` : ''}\n`);
    for (const t of tests.values()) {
      if (t.outcome !== 'failed') continue;
      const why = t.error ? ` — ${truncate(firstLine(t.error), 200)}` : '';
      out.write(`  ${MARK.failed} ${oneLine(t.title)}${why}\n`);
    }
  };

  const print = (p: RunProgress) => {
    if (p.type === 'phase') {
      endTests();
      out.write(`${phaseLine(p)}\n`);
      if (p.phase === 'test') {
        phaseStart = Date.now();
        render();
        ticker = setInterval(render, 1000);
        ticker.unref();
      }
      return;
    }
    const e = p.event;
    if (e.type === 'begin') total = e.total;
    else if (e.type === 'test') {
      tests.set(`${e.file}:${e.line}:${e.title}`, { title: e.title, outcome: e.outcome, error: e.error });
      current = `${MARK[e.outcome]} ${oneLine(e.title)}`;
    }
    render();
  };
  return Object.assign(print, { finish: endTests });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0].trim();
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}
