// Turns a RunResult into a Nagios plugin result (state, first line, long output, perfdata) and renders it
// for one transport within that transport's size limit. Follows the Nagios plugin guidelines: the first
// line is what an on-call person reads in the alert, details go to the long output.
import {
  errorHeadline,
  exitCodeOf,
  raisedByErrorChecks,
  type ErrorCheck,
  type LocationRule,
  type LocationsVerdict,
  type RunResult,
  type RunStatus,
} from '../../core/index.ts';
import { sanitizeLine, STATE_LABEL, type FormattedCheck, type NagiosState } from '../../core/nagios-check.ts';

export { sanitizeLine, STATE_LABEL, type FormattedCheck, type NagiosState };

export type StateMap = Partial<Record<RunStatus, NagiosState>>;

export interface FormatOptions {
  /** Overrides per status, e.g. `{ flaky: 0 }` to keep flaky runs green for a suite. */
  stateMap?: StateMap;
  /** Name shown after the state label; the suite name when absent. */
  label?: string;
  /** How many failing test titles the first line lists before "and N more". */
  maxTitles?: number;
  /** How many lines of each test error go to the long output. */
  maxErrorLines?: number;
  /** api.publicURL: the long output's first line links the run page (first, so no byte limit cuts it). */
  publicURL?: string;
}

const FIRST_LINE_TITLE_BUDGET = 300;

const splitLines = (text: string): string[] => text.split(/\r?\n|\r/).map(sanitizeLine);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (s: number) => `${(Math.round(s * 10) / 10).toFixed(1)}s`;

function listTitles(titles: string[], maxTitles: number): string {
  const shown: string[] = [];
  let length = 0;
  for (const title of titles) {
    if (shown.length >= maxTitles || (shown.length > 0 && length + title.length > FIRST_LINE_TITLE_BUDGET)) break;
    shown.push(title);
    length += title.length + 2;
  }
  const rest = titles.length - shown.length;
  return shown.join('; ') + (rest > 0 ? `; and ${rest} more` : '');
}

function summary(result: RunResult, maxTitles: number): string {
  const { tests } = result;
  const titles = result.failures.map((f) => sanitizeLine(f.title));
  const skipped = tests.skipped > 0 ? `, ${tests.skipped} skipped` : '';
  switch (result.status) {
    case 'passed':
      return `${plural(tests.passed, 'test')} passed${skipped} in ${seconds(result.phases.test)}`;
    case 'flaky': {
      const head = `${plural(tests.flaky, 'flaky test')} passed on retry`;
      return titles.length ? `${head}: ${listTitles(titles, maxTitles)}` : `${head} (${tests.total} tests in ${seconds(result.phases.test)})`;
    }
    case 'failed': {
      const head = `${tests.failed} of ${plural(tests.total, 'test')} failed`;
      return titles.length ? `${head}: ${listTitles(titles, maxTitles)}` : head;
    }
    case 'error': {
      return sanitizeLine(errorHeadline(result));
    }
  }
}

const numberText = (n: number) => String(Number.isInteger(n) ? n : Math.round(n * 1000) / 1000);

/**
 * What the error queries add to a passed or flaky run's first line: the exceeded ones with their value
 * (", but http-5xx = 7 over the run (above 0)"), else those that could not be asked.
 */
function errorChecksSummary(result: RunResult): string {
  const checks = result.errorChecks ?? [];
  const exceeded = checks.filter((c) => c.exceeded);
  if (exceeded.length)
    return `, but ${exceeded.map((c) => `${sanitizeLine(c.name)} = ${numberText(c.value ?? 0)} over the run (above ${numberText(c.above)})`).join('; ')}`;
  const unasked = checks.filter((c) => c.error !== undefined);
  return unasked.length
    ? ` (error ${unasked.length === 1 ? 'query' : 'queries'} ${unasked.map((c) => sanitizeLine(c.name)).join(', ')} could not be asked)`
    : '';
}

/** One line per error query, then its Prometheus link: what it asked, its answer, where to look. */
function errorCheckLines(checks: readonly ErrorCheck[]): string[] {
  return checks.flatMap((c) => {
    const head =
      c.error !== undefined
        ? `${c.name} could not be asked: ${c.error}`
        : `${c.name} = ${numberText(c.value ?? 0)} over ${c.window} to ${c.at}${c.exceeded ? ` (above ${numberText(c.above)}: ${c.severity})` : ` (not above ${numberText(c.above)})`}`;
    return [sanitizeLine(head), `    ${sanitizeLine(c.query)}`, `    ${sanitizeLine(c.link)}`];
  });
}

/** Where a person lands from the alert: the run page of this result. */
export const runPageURL = (publicURL: string, runId: string) => `${publicURL}/runs/${encodeURIComponent(runId)}`;

function details(result: RunResult, maxErrorLines: number, publicURL?: string): string[] {
  const lines: string[] = [];
  if (publicURL) lines.push(`run page: ${sanitizeLine(runPageURL(publicURL, result.runId))}`);
  lines.push(...errorCheckLines(result.errorChecks ?? []));
  if (result.status === 'error' && result.errorMessage) {
    const rest = splitLines(result.errorMessage).filter((l) => l.trim() !== '');
    lines.push(...rest.slice(1));
  }
  for (const failure of result.failures) {
    lines.push(`✗ ${sanitizeLine(failure.title)} (${sanitizeLine(failure.file)}:${failure.line})`);
    const errorLines = splitLines(failure.error).filter((l) => l.trim() !== '');
    for (const l of errorLines.slice(0, maxErrorLines)) lines.push(`    ${l.trimEnd()}`);
    if (errorLines.length > maxErrorLines) lines.push('    …');
  }
  if (result.tenant?.state === 'teardown_failed') {
    const why = result.tenant.error ? `: ${sanitizeLine(result.tenant.error)}` : '';
    lines.push(`tenant ${sanitizeLine(result.tenant.name)} could not be deleted${why} (the reaper will retry)`);
  }
  const t = result.tests;
  lines.push(
    `run ${result.runId}, environment ${sanitizeLine(result.environment)}, trigger ${result.trigger}, ` +
      `${t.total} tests: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped; ` +
      `tenant setup ${seconds(result.phases.tenant_setup)}, tests ${seconds(result.phases.test)}, teardown ${seconds(result.phases.teardown)}`,
  );
  if (result.artifactsDir) lines.push(`artifacts: ${sanitizeLine(result.artifactsDir)}`);
  return lines;
}

export function perfdataOf(result: RunResult): string {
  const t = result.tests;
  // `duration` is the test phase, the same number the first line shows.
  return [
    `passed=${t.passed};;;0`,
    `failed=${t.failed};;;0`,
    `flaky=${t.flaky};;;0`,
    `skipped=${t.skipped};;;0`,
    `duration=${seconds(result.phases.test)};;;0`,
    // An error query's value with its threshold in the warn or crit slot; none when it was not asked.
    ...(result.errorChecks ?? [])
      .filter((c) => c.value !== undefined)
      .map(
        (c) =>
          `${sanitizeLine(c.name)}=${numberText(c.value ?? 0)};${c.severity === 'warning' ? numberText(c.above) : ''};${c.severity === 'critical' ? numberText(c.above) : ''};;`,
      ),
  ].join(' ');
}

export function stateOf(status: RunStatus, stateMap: StateMap = {}): NagiosState {
  return stateMap[status] ?? exitCodeOf[status];
}

export function formatCheckResult(result: RunResult, opts: FormatOptions = {}): FormattedCheck {
  // A passed run whose error queries found errors is raised to their severity (core's raisedByErrorChecks).
  const state = raisedByErrorChecks(stateOf(result.status, opts.stateMap), result);
  const label = sanitizeLine(opts.label ?? result.suite);
  return {
    state,
    output: `${STATE_LABEL[state]} - ${label}: ${summary(result, opts.maxTitles ?? 3)}${errorChecksSummary(result)}`,
    longOutput: details(result, opts.maxErrorLines ?? 3, opts.publicURL),
    perfdata: perfdataOf(result),
  };
}

/**
 * A suite run from several locations: the pair's state from each location's newest run (core/locations.ts).
 * First line: the verdict, then the failing tests of the newest failing run; long output: one line per
 * location (its own state and summary), then the details of each failing location's run.
 */
export function formatLocatedCheck(verdict: LocationsVerdict, rule: LocationRule, opts: FormatOptions & { suite: string }): FormattedCheck {
  const state = stateOf(verdict.status, opts.stateMap);
  const label = sanitizeLine(opts.label ?? opts.suite);
  const maxTitles = opts.maxTitles ?? 3;
  const failingRuns = verdict.views.filter((v) => v.answer === 'failed' && v.run).map((v) => v.run!);
  const newestFailing = failingRuns.sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : -1))[0];
  const titles = newestFailing?.failures.map((f) => sanitizeLine(f.title)) ?? [];
  const longOutput: string[] = [];
  for (const v of verdict.views) {
    const run = v.run;
    const own =
      v.answer === 'unknown'
        ? `UNKNOWN - ${v.why}${run?.status === 'error' ? `: ${summary(run, maxTitles)}` : ''}`
        : `${STATE_LABEL[stateOf(run!.status, opts.stateMap)]} - ${summary(run!, maxTitles)}`;
    const where = run ? ` (run ${run.runId}, ${run.finishedAt}${opts.publicURL ? `, ${runPageURL(opts.publicURL, run.runId)}` : ''})` : '';
    longOutput.push(`${sanitizeLine(v.location)}: ${sanitizeLine(own)}${sanitizeLine(where)}`);
  }
  for (const run of failingRuns) {
    longOutput.push(`from ${sanitizeLine(run.location ?? '?')}:`, ...details(run, opts.maxErrorLines ?? 3));
  }
  const counts = [
    `failing_locations=${verdict.failing.length};;${rule.minFailed};0;${rule.locations.length}`,
    `unknown_locations=${verdict.unknown.length};;;0;${rule.locations.length}`,
  ].join(' ');
  return {
    state,
    output: `${STATE_LABEL[state]} - ${label}: ${sanitizeLine(verdict.sentence)}${titles.length ? `: ${listTitles(titles, maxTitles)}` : ''}`,
    longOutput,
    perfdata: counts,
  };
}

// ---- rendering per transport ----

export type TransportKind = 'command-file' | 'nsca' | 'nrdp' | 'icinga2';

export interface RenderOptions {
  /** Most bytes (UTF-8) the rendered text may take. */
  maxBytes: number;
  /** 'escaped': newline → two chars `\n`, backslash → `\\` (command file). 'real': newlines stay. */
  newlines: 'escaped' | 'real';
  /** true: `first|perfdata\nlong…`; false: perfdata is sent apart (Icinga 2) and left out of the text. */
  perfdataInline: boolean;
}

/** Limits in bytes for the rendered plugin output of each transport. */
export const OUTPUT_LIMITS: Record<TransportKind, number> = {
  // The whole command line must fit one PIPE_BUF write; the command-file transport subtracts its prefix.
  'command-file': 4096,
  // NSCA v3 packet: plugin_output[4096] including the terminating NUL.
  nsca: 4095,
  // NRDP and Icinga 2 have no hard limit; these keep a runaway error from flooding the monitoring DB.
  nrdp: 16_384,
  icinga2: 65_536,
};

export const RENDER_DEFAULTS: Record<TransportKind, Omit<RenderOptions, 'maxBytes'>> = {
  'command-file': { newlines: 'escaped', perfdataInline: true },
  nsca: { newlines: 'real', perfdataInline: true },
  nrdp: { newlines: 'real', perfdataInline: true },
  icinga2: { newlines: 'real', perfdataInline: false },
};

const ELLIPSIS = '…';

function escapedCost(char: string, newlines: RenderOptions['newlines']): number {
  if (newlines === 'escaped' && char === '\\') return 2;
  return Buffer.byteLength(char);
}

/** Longest prefix of `text` (whole code points) whose rendered size is ≤ maxBytes. */
function fitPrefix(text: string, maxBytes: number, newlines: RenderOptions['newlines']): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const cost = escapedCost(char, newlines);
    if (used + cost > maxBytes) break;
    used += cost;
    end += char.length;
  }
  return text.slice(0, end);
}

const renderedSize = (text: string, newlines: RenderOptions['newlines']) =>
  Buffer.byteLength(text) + (newlines === 'escaped' ? (text.match(/\\/g)?.length ?? 0) : 0);

function truncateLine(text: string, maxBytes: number, newlines: RenderOptions['newlines']): string {
  if (renderedSize(text, newlines) <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(ELLIPSIS);
  return room > 0 ? fitPrefix(text, room, newlines) + ELLIPSIS : fitPrefix(text, maxBytes, newlines);
}

/**
 * Renders a check as one plugin-output text within `maxBytes`. The tail of the long output is cut first,
 * then the first line; perfdata is kept whole, never cut, because a half metric is worse than none.
 */
export function renderPluginOutput(check: FormattedCheck, opts: RenderOptions): string {
  const nl = opts.newlines === 'escaped' ? '\\n' : '\n';
  const perf = opts.perfdataInline && check.perfdata ? `|${sanitizeLine(check.perfdata)}` : '';
  const perfBytes = Buffer.byteLength(perf);
  const nlBytes = Buffer.byteLength(nl);

  const firstBudget = Math.max(0, opts.maxBytes - perfBytes);
  const first = truncateLine(sanitizeLine(check.output), firstBudget, opts.newlines);
  let used = renderedSize(first, opts.newlines) + perfBytes;
  const parts = [first + perf];

  for (const raw of check.longOutput) {
    const line = sanitizeLine(raw);
    const room = opts.maxBytes - used - nlBytes;
    if (room <= 0) break;
    const size = renderedSize(line, opts.newlines);
    if (size <= room) {
      parts.push(line);
      used += nlBytes + size;
      continue;
    }
    parts.push(truncateLine(line, room, opts.newlines));
    break;
  }

  const text = parts.join('\n');
  return opts.newlines === 'escaped' ? text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n') : text;
}

/** Renders for a transport with its default newline style and limit (`maxBytes` overrides the limit). */
export function renderFor(check: FormattedCheck, transport: TransportKind, maxBytes = OUTPUT_LIMITS[transport]): string {
  return renderPluginOutput(check, { ...RENDER_DEFAULTS[transport], maxBytes });
}
