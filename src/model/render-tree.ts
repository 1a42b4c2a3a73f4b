// `vigil model show`: the tree as a person reads it in a terminal. One line per node (state, operator)
// and per check (state word, reason, age, output); findings marked with `!`. Non-transitive shows the
// node's own checks and one summary line per member; transitive expands everything below.
import { describeAggregate } from './aggregate.ts';
import { formatAge } from './sources/nagios-check.ts';
import type { CheckStatus, EvaluatedNode, QueryAnswer } from './types.ts';

const INDENT = '  ';
const MAX_OUTPUT = 100;

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const clip = (text: string) => {
  const line = text.split('\n')[0];
  return line.length > MAX_OUTPUT ? `${line.slice(0, MAX_OUTPUT - 1)}…` : line;
};

function checkLine(check: CheckStatus, nowMs: number): string {
  const mark = check.green ? '✓' : check.red ? '✗' : '·';
  const raw = check.raw && check.raw !== check.state ? ` ${check.raw}` : '';
  const age = check.lastCheck ? `, ${formatAge(nowMs - Date.parse(check.lastCheck))} ago` : '';
  const flags = [check.downtime ? 'downtime' : '', check.acknowledged ? 'acknowledged' : '', check.recheckForcedAt ? 're-check forced' : '']
    .filter(Boolean)
    .map((f) => `, ${f}`)
    .join('');
  const why = check.detail && check.reason !== 'fresh' ? ` (${check.detail})` : '';
  const output = check.output ? ` — ${clip(check.output)}` : '';
  return `${mark} ${pad(check.state, 8)} ${check.id}${raw} [${check.reason}${age}${flags}]${why}${output}`;
}

function nodeLine(node: EvaluatedNode): string {
  const counts = `${node.checks.length} check${node.checks.length === 1 ? '' : 's'}, ${node.members.length} member${node.members.length === 1 ? '' : 's'}`;
  return `${node.name}  ${node.state}  (${describeAggregate(node.aggregate)}; ${counts}${node.discovered ? '; discovered' : ''})`;
}

export function renderTree(node: EvaluatedNode, opts: { transitive: boolean; nowMs: number; depth?: number }): string[] {
  const depth = opts.depth ?? 0;
  const at = INDENT.repeat(depth);
  const lines = [`${at}${nodeLine(node)}`];
  for (const check of node.checks) lines.push(`${at}${INDENT}${checkLine(check, opts.nowMs)}`);
  for (const finding of node.findings) lines.push(`${at}${INDENT}! ${finding.message}`);
  for (const member of node.members) {
    if (opts.transitive) lines.push(...renderTree(member, { ...opts, depth: depth + 1 }));
    else lines.push(`${at}${INDENT}${nodeLine(member)}`);
  }
  return lines;
}

export function renderAnswer(answer: QueryAnswer): string[] {
  const scope = answer.transitive ? 'transitively' : 'non-transitively';
  const head = `${answer.node} is ${answer.holds ? '' : 'not '}${answer.query.replace('-', ' ')} ${scope} (${answer.checks} check${answer.checks === 1 ? '' : 's'} in scope)`;
  if (answer.holds) return [head];
  return [`${head}; in the way:`, ...answer.blockers.map((b) => `${INDENT}${b.message}`)];
}
