// `vigil gate --junit FILE`: the gate's answer in the format every CI system shows natively (Jenkins'
// junit step, GitLab's artifacts:reports:junit, GitHub Actions through a test-report action). One
// <testcase> per suite × environment (and one for the model when --model is given): passed and flaky
// pass (flaky says so in system-out), failed is a <failure> listing every failing test with its error,
// a run that could not test the app is an <error>. Each names the run's page when a link is known.
import { errorHeadline, type RunResult } from '../core/index.ts';
import { escapeAttribute, escapeText } from '../shared/xml-escape.ts';
import type { GateScenarioResult } from './gate-scenarios.ts';

/** A suite the gate could not get a result for (not started, timed out waiting). */
export interface GateUnfinished {
  suite: string;
  environment: string;
  status: 'error';
  message: string;
  runId?: string;
}

export interface GateModelResult {
  node: string;
  exitCode: number;
  holds: boolean;
  elapsedMs?: number;
  lines: string[];
}

const seconds = (s: number) => s.toFixed(3);
const isRun = (r: RunResult | GateUnfinished): r is RunResult => 'phases' in r;

function runCase(r: RunResult | GateUnfinished, runLink: (runId: string) => string | undefined): string[] {
  const link = r.runId ? runLink(r.runId) : undefined;
  const name = `${r.suite}@${r.environment}`;
  const time = isRun(r) ? seconds((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000) : '0.000';
  const lines = [`    <testcase classname="vigil.${escapeAttribute(r.environment)}" name="${escapeAttribute(name)}" time="${time}">`];
  const out: string[] = [];
  if (link) out.push(`run: ${link}`);
  if (!isRun(r)) {
    lines.push(`      <error message="${escapeAttribute(r.message)}" type="error">${escapeText([r.message, ...out].join('\n'))}</error>`);
  } else {
    const t = r.tests;
    out.push(`${r.status}: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped of ${t.total}`);
    if (r.status === 'failed') {
      const message = `${t.failed} of ${t.total} tests failed: ${r.failures.map((f) => f.title).join('; ')}`;
      const body = r.failures.map((f) => `${f.title} (${f.file}:${f.line})\n${f.error}`);
      lines.push(
        `      <failure message="${escapeAttribute(message)}" type="failed">${escapeText([...body, ...(link ? [`run: ${link}`] : [])].join('\n\n'))}</failure>`,
      );
    } else if (r.status === 'error') {
      const message = errorHeadline(r);
      lines.push(
        `      <error message="${escapeAttribute(message)}" type="${escapeAttribute(r.errorPhase ?? 'error')}">${escapeText([message, ...(link ? [`run: ${link}`] : [])].join('\n'))}</error>`,
      );
    }
  }
  lines.push(`      <system-out>${escapeText(out.join('\n'))}</system-out>`, '    </testcase>');
  return lines;
}

function modelCase(model: GateModelResult, environment: string): string[] {
  const [headline = '', ...rest] = model.lines;
  const lines = [
    `    <testcase classname="vigil.${escapeAttribute(environment)}" name="${escapeAttribute(`model ${model.node}`)}" time="${seconds((model.elapsedMs ?? 0) / 1000)}">`,
  ];
  if (!model.holds) {
    const element = model.exitCode === 3 ? 'error' : 'failure';
    lines.push(
      `      <${element} message="${escapeAttribute(headline)}" type="${model.exitCode === 3 ? 'error' : 'failed'}">${escapeText(model.lines.join('\n'))}</${element}>`,
    );
  }
  lines.push(`      <system-out>${escapeText([headline, ...rest].join('\n'))}</system-out>`, '    </testcase>');
  return lines;
}

/** A scheduled scenario (--scenario): OK passes, CRITICAL is a <failure>, UNKNOWN an <error>; each run's page linked. */
function scenarioCase(s: GateScenarioResult, environment: string): string[] {
  const name = `scenario ${s.schedule}`;
  const lines = [`    <testcase classname="vigil.${escapeAttribute(environment)}" name="${escapeAttribute(name)}" time="${seconds(s.elapsedMs / 1000)}">`];
  const body = [...s.lines, ...s.runs.filter((r) => r.link).map((r) => `run: ${r.link}`)].join('\n');
  if (s.exitCode !== 0) {
    const element = s.exitCode === 3 ? 'error' : 'failure';
    lines.push(
      `      <${element} message="${escapeAttribute(s.lines[0] ?? '')}" type="${s.exitCode === 3 ? 'error' : 'failed'}">${escapeText(body)}</${element}>`,
    );
  }
  lines.push(`      <system-out>${escapeText(body)}</system-out>`, '    </testcase>');
  return lines;
}

export function gateJunitXml(opts: {
  environment: string;
  results: ReadonlyArray<RunResult | GateUnfinished>;
  model?: GateModelResult;
  scenarios?: readonly GateScenarioResult[];
  startedAt: Date;
  elapsedMs: number;
  runLink: (runId: string) => string | undefined;
}): string {
  const { results, model } = opts;
  const scenarios = opts.scenarios ?? [];
  const tests = results.length + (model ? 1 : 0) + scenarios.length;
  const failures =
    results.filter((r) => r.status === 'failed').length +
    (model && !model.holds && model.exitCode !== 3 ? 1 : 0) +
    scenarios.filter((s) => s.exitCode === 2).length;
  const errors =
    results.filter((r) => r.status === 'error').length +
    (model && !model.holds && model.exitCode === 3 ? 1 : 0) +
    scenarios.filter((s) => s.exitCode === 3).length;
  const time = seconds(opts.elapsedMs / 1000);
  const name = `vigil gate ${opts.environment}`;
  return `${[
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeAttribute(name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${escapeAttribute(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${escapeAttribute(opts.startedAt.toISOString())}">`,
    ...results.flatMap((r) => runCase(r, opts.runLink)),
    ...(model ? modelCase(model, opts.environment) : []),
    ...scenarios.flatMap((s) => scenarioCase(s, opts.environment)),
    '  </testsuite>',
    '</testsuites>',
  ].join('\n')}\n`;
}
