// The numbers behind the suite page's pictures: pass rate and availability over 24 h / 7 d / 30 d,
// and per-test durations over the newest runs. Definitions (docs/service.md):
// - availability: runs in which the application worked (passed or flaky) among the runs that tested
//   it (passed, flaky, failed) — a runner error tested nothing and counts for neither side;
// - pass rate: runs in which every test passed on the first attempt (passed) among those same runs.
import type { RunStatus } from '../core/index.ts';
import type { Store, TestHistoryPoint } from '../store/types.ts';

export const RATE_WINDOWS = [
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
  { label: '30 d', ms: 30 * 86_400_000 },
] as const;

export interface RateRow {
  window: string;
  counts: Record<RunStatus, number>;
  /** undefined: no run tested the application in the window. */
  availability?: number;
  passRate?: number;
}

export async function rates(
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>,
  suite: string,
  environment: string,
  now = new Date(),
): Promise<RateRow[]> {
  const all = await Promise.all(RATE_WINDOWS.map(({ ms }) => store.runs.statusCounts({ suite, environment, since: new Date(now.getTime() - ms) })));
  return RATE_WINDOWS.map(({ label }, i) => {
    const counts = all[i];
    const tested = counts.passed + counts.flaky + counts.failed;
    return {
      window: label,
      counts,
      ...(tested ? { availability: (counts.passed + counts.flaky) / tested, passRate: counts.passed / tested } : {}),
    };
  });
}

export interface TestSeries {
  name: string;
  /** Seconds per run slot (oldest first); undefined where the test did not run. */
  values: Array<number | undefined>;
}

/**
 * One series per test (project-qualified when several projects ran it), slowest first by their
 * newest duration, at most `max`: a chart with forty lines shows nothing.
 */
export function testSeries(points: readonly TestHistoryPoint[], max = 8): { runs: string[]; series: TestSeries[] } {
  const runs = [...new Set(points.map((p) => p.runId))];
  const slot = new Map(runs.map((id, i) => [id, i]));
  const byName = new Map<string, Array<number | undefined>>();
  for (const p of points) {
    if (p.outcome === 'skipped') continue;
    const name = p.project ? `${p.title} [${p.project}]` : p.title;
    let values = byName.get(name);
    if (!values) byName.set(name, (values = Array.from({ length: runs.length }, () => undefined)));
    values[slot.get(p.runId)!] = p.durationMs / 1000;
  }
  const newest = (values: Array<number | undefined>) => values.findLast((v) => v !== undefined) ?? 0;
  const series = [...byName].map(([name, values]) => ({ name, values })).sort((a, b) => newest(b.values) - newest(a.values));
  return { runs, series: series.slice(0, max) };
}
