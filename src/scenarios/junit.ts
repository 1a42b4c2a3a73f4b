// JUnit XML for CI systems: a <testsuite> per feature file, a <testcase> per scenario; a failed
// scenario's <failure message> is the failing step, its body the step's details (what stood in the
// way, the tree at the deadline). Written by hand because it is this small; the escaping is the part
// that matters (src/shared/xml-escape.ts).
import { escapeAttribute, escapeText } from '../shared/xml-escape.ts';
import type { ScenarioResult, StepResult } from './types.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const durationOf = (r: ScenarioResult) => Date.parse(r.finishedAt) - Date.parse(r.startedAt);
const stepLine = (s: StepResult) => `${s.status.padEnd(11)} ${s.keyword} ${s.text}${s.note ? ` — ${s.note}` : ''}`;

function testcase(r: ScenarioResult): string[] {
  const open = `    <testcase classname="${escapeAttribute(r.file)}" name="${escapeAttribute(r.scenario)}" file="${escapeAttribute(r.file)}" line="${r.line}" time="${seconds(durationOf(r))}">`;
  const lines = [open];
  const bad = [...r.steps, ...r.cleanup].find((s) => s.status === 'failed' || s.status === 'error' || s.status === 'interrupted');
  if (r.status !== 'passed' && bad) {
    const [headline, ...details] = (bad.message ?? '').split('\n');
    const element = r.status === 'failed' ? 'failure' : 'error';
    const message = `${r.file}:${bad.line}: ${bad.keyword} ${bad.text}: ${headline}`;
    lines.push(`      <${element} message="${escapeAttribute(message)}" type="${r.status}">${escapeText([message, ...details].join('\n'))}</${element}>`);
  }
  const log = [...r.steps.map(stepLine), ...r.cleanup.map((s) => `cleanup: ${stepLine(s)}`)].join('\n');
  lines.push(`      <system-out>${escapeText(log)}</system-out>`, '    </testcase>');
  return lines;
}

export function junitXml(results: readonly ScenarioResult[]): string {
  const byFile = new Map<string, ScenarioResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const count = (list: readonly ScenarioResult[], status: string) => list.filter((r) => r.status === status).length;
  const errors = (list: readonly ScenarioResult[]) => list.filter((r) => r.status === 'error' || r.status === 'interrupted').length;
  const total = (list: readonly ScenarioResult[]) => seconds(list.reduce((sum, r) => sum + durationOf(r), 0));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vigil scenarios" tests="${results.length}" failures="${count(results, 'failed')}" errors="${errors(results)}" time="${total(results)}">`,
  ];
  for (const [file, list] of byFile) {
    lines.push(
      `  <testsuite name="${escapeAttribute(`${list[0].feature} (${file})`)}" tests="${list.length}" failures="${count(list, 'failed')}" errors="${errors(list)}" skipped="0" time="${total(list)}" timestamp="${escapeAttribute(list[0].startedAt)}">`,
      ...list.flatMap(testcase),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
