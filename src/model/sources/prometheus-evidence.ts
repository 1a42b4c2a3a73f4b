// How old the samples behind a Prometheus answer are: what a `since` is judged against (docs/model.md,
// "Evidence newer than the question"). An instant query's answer carries its evaluation time, which
// is always "now"; the samples it rests on were scraped earlier. Two ways to know when:
// - a series returned as scraped (a selector such as `up{job="app"}`): `timestamp(q)` is its
//   sample's own scrape time;
// - anything computed (`sum(…)`, `rate(…)`, `x == 1`) loses that (`timestamp()` answers the evaluation
//   time), and so does an alerting rule's evaluation: then the oldest scrape it could rest on, over
//   every active target — for each target, its last scrape at or before the evaluation. Conservative:
//   a target unrelated to the query can hold the answer back, by at most one scrape interval.
import type { PromSample, PromTarget } from './prometheus-api.ts';
import type { PromAnswer, PrometheusRead } from './prometheus-read.ts';

/** The start of the last scrape of `target` at or before `atMs`, scrapes being `intervalMs` apart. */
function scrapeAtOrBefore(target: PromTarget, atMs: number): number {
  if (target.lastScrapeMs <= atMs) return target.lastScrapeMs;
  if (target.intervalMs <= 0) return 0;
  return target.lastScrapeMs - Math.ceil((target.lastScrapeMs - atMs) / target.intervalMs) * target.intervalMs;
}

/**
 * The oldest scrape an evaluation at `atMs` rests on; `atMs` itself when Prometheus scrapes nothing
 * (fed by remote write: nothing better is known); NaN when the targets could not be read.
 */
export function oldestScrapeBehind(read: PrometheusRead, atMs: number): number {
  if (!read.targets?.ok) return Number.NaN;
  if (read.targets.targets.length === 0) return atMs;
  return Math.min(...read.targets.targets.map((t) => scrapeAtOrBefore(t, atMs)));
}

const seriesKey = (labels: Record<string, string>) => {
  const { __name__: _, ...rest } = labels;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

const timesBySeries = new WeakMap<PromAnswer, Map<string, number>>();

/** When the samples behind `samples` (series of the answer to `query`) were taken: the oldest, epoch ms. */
export function samplesTakenAt(read: PrometheusRead, query: string, samples: readonly PromSample[]): number {
  const answer = read.sampleTimes?.get(query);
  let times = answer ? timesBySeries.get(answer) : undefined;
  if (answer?.ok && !times) {
    times = new Map();
    for (const s of answer.result.samples) {
      const scraped = Number(s.value) * 1000;
      // timestamp() of a computed series is its evaluation time: no scrape time to be had there.
      if (Number.isFinite(scraped) && Math.abs(scraped - s.atMs) >= 1)
        times.set(seriesKey(s.labels), Math.min(scraped, times.get(seriesKey(s.labels)) ?? Infinity));
    }
    timesBySeries.set(answer, times);
  }
  let oldest = Infinity;
  for (const s of samples) {
    const own = times?.get(seriesKey(s.labels));
    oldest = Math.min(oldest, own ?? oldestScrapeBehind(read, s.atMs));
  }
  return oldest;
}
