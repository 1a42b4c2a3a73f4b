// A node's coverage as a passive Nagios/Icinga service (`pool.nagios: { host, service }`, docs/model.md
// "Coverage as a check"): the seed's "can we trust the system to monitor the right things?" paged like
// any other check.
//   CRITICAL — a member takes traffic and nobody watches it (unmonitored, its pool state not MAINT/DOWN);
//   WARNING  — any other gap: unmonitored but out of traffic for now (MAINT, DOWN: one command or a
//              passing health check puts it in), monitored but gone from the pool, every check disabled
//              (someone switched them off on purpose; the member is still named);
//   UNKNOWN  — the pool or the monitoring could not be read: nothing is concluded;
//   OK       — every member of the pool is monitored and no monitored member is outside it.
import { sanitizeLine, STATE_LABEL, type CheckResult, type NagiosState } from '../core/index.ts';
import { assertObjectName } from '../shared/nagios-object-name.ts';
import { countGaps, type Coverage, type CoverageGap, type GapKind } from './coverage.ts';

/** Pool states in which HAProxy sends a server no traffic; any other (UP, DRAIN, NOLB, `listed` …) may get some. */
const OUT_OF_TRAFFIC = new Set(['MAINT', 'DOWN']);
/** Members named per kind on the first line; the long output has up to LISTED gaps. */
const NAMED = 10;
const LISTED = 50;

const KIND_WORDS: Record<GapKind, string> = { unmonitored: 'unmonitored', 'not-in-pool': 'not in the pool', disabled: 'checks all disabled' };

export const takesTraffic = (gap: CoverageGap): boolean => gap.poolState !== undefined && !OUT_OF_TRAFFIC.has(gap.poolState);

export function coverageState(coverage: Coverage): NagiosState {
  if (coverage.answer === 'cannot-ask') return 3;
  if (coverage.answer === 'covered') return 0;
  return coverage.gaps.some((g) => g.kind === 'unmonitored' && takesTraffic(g)) ? 2 : 1;
}

function summary(coverage: Coverage): string {
  if (coverage.answer === 'cannot-ask') return `cannot tell whether the monitoring covers the pool: ${coverage.problems[0] ?? 'unknown'}`;
  if (coverage.answer === 'covered') return `covered, all ${coverage.poolSize} in the pool are monitored`;
  const parts = (Object.keys(KIND_WORDS) as GapKind[]).flatMap((kind) => {
    const gaps = coverage.gaps.filter((g) => g.kind === kind);
    if (!gaps.length) return [];
    const named = gaps.slice(0, NAMED).map((g) => (g.poolState ? `${g.member} (${g.poolState})` : g.member));
    return [`${KIND_WORDS[kind]}: ${named.join(', ')}${gaps.length > NAMED ? `, and ${gaps.length - NAMED} more` : ''}`];
  });
  // Not `;`: the command file's field separator (the exporters replace it).
  return `${coverage.gaps.length} coverage gap${coverage.gaps.length === 1 ? '' : 's'} — ${parts.join(' — ')}`;
}

function details(coverage: Coverage): string[] {
  const pool = `pool: ${coverage.pool}${coverage.poolReadAt ? `, read ${coverage.poolReadAt}` : ''}`;
  if (coverage.answer === 'cannot-ask') return [pool, ...coverage.problems];
  return [
    pool,
    ...coverage.gaps.slice(0, LISTED).map((g) => `${g.kind}: ${g.message}`),
    ...(coverage.gaps.length > LISTED ? [`and ${coverage.gaps.length - LISTED} more gaps (vigil model coverage ${coverage.node})`] : []),
    ...(coverage.covered.length ? [`covered (${coverage.covered.length}): ${coverage.covered.map((m) => `${m.member} (${m.poolState})`).join(', ')}`] : []),
  ];
}

function perfdata(coverage: Coverage): string {
  // No counts when they could not be told (not a stale 0), as the gauge.
  if (coverage.answer === 'cannot-ask') return '';
  const counts = countGaps(coverage);
  return `unmonitored=${counts.unmonitored};;;0 not_in_pool=${counts['not-in-pool']};;;0 disabled=${counts.disabled};;;0 pool=${coverage.poolSize};;;0 monitored=${coverage.monitored};;;0`;
}

export function coverageCheck(coverage: Coverage, target: { host: string; service: string }, nowMs: number): CheckResult {
  const where = `model ${coverage.node}.pool.nagios`;
  assertObjectName('host', target.host, where);
  assertObjectName('service', target.service, where);
  const state = coverageState(coverage);
  return {
    state,
    output: `${STATE_LABEL[state]} - ${sanitizeLine(coverage.node)}: ${sanitizeLine(summary(coverage))}`,
    longOutput: details(coverage).map(sanitizeLine),
    perfdata: perfdata(coverage),
    host: target.host,
    service: target.service,
    timestamp: Math.floor(nowMs / 1000),
  };
}

/** What a change is: the state and what the result says, not when the pool was read (the long output's first line). */
const sameness = (check: CheckResult) => JSON.stringify([check.state, check.output, check.perfdata, check.longOutput.slice(1)]);

/**
 * Which coverage results to send after an evaluation: a node's when it changed since the last one sent,
 * or when that one is `refreshMs` old (and the first after a start). Keeps the last one sent per node.
 */
export function createCoverageSends(targets: ReadonlyMap<string, { host: string; service: string; refreshMs: number }>) {
  const last = new Map<string, { key: string; atMs: number }>();
  return (coverage: readonly Coverage[], nowMs: number): Array<{ node: string; check: CheckResult }> =>
    coverage.flatMap((c) => {
      const target = targets.get(c.node);
      if (!target) return [];
      const check = coverageCheck(c, target, nowMs);
      const key = sameness(check);
      const previous = last.get(c.node);
      if (previous && previous.key === key && nowMs - previous.atMs < target.refreshMs) return [];
      last.set(c.node, { key, atMs: nowMs });
      return [{ node: c.node, check }];
    });
}
