// Two model shapes side by side (`vigil model diff A B`, docs/model.md "Twin environments"): one
// difference per line, in a stable order, so "is QA really like production?" has a concrete answer.
// Pure: the shapes were read and redacted beforehand.
import { countShape, type CheckShape, type NodeShape } from './model-shape.ts';

/** `vigil model diff`'s exit codes, as the model's other commands (MODEL_EXIT): 0 same shape, 2 differences, 3 a side cannot be read. */
export const DIFF_EXIT = { same: 0, differ: 2, cannotRead: 3 } as const;

export type DifferenceKind = 'node' | 'aggregate' | 'members.min' | 'members' | 'member-names' | 'check' | 'check-type' | 'in-monitoring' | 'setting';

export interface Difference {
  /** The node's path, with the names as compared (after --strip). */
  path: string;
  kind: DifferenceKind;
  /** The check's key (`nagios:app-0!HTTP`) or target (check-type), when the difference is about one check. */
  check?: string;
  /** The value on each side; absent where the thing is only on the other side. */
  a?: string;
  b?: string;
  /** Names present on one side only (members, a top-level node), as the model names them. */
  only?: { side: 'a' | 'b'; names: string[] };
  message: string;
}

export interface DiffSides {
  /** How each side is named in the lines: the config files as given. */
  a: string;
  b: string;
}

// The order of the lines about one node: its own settings, its members, then its checks.
const KIND_ORDER: DifferenceKind[] = ['node', 'aggregate', 'members.min', 'members', 'member-names', 'check-type', 'check', 'in-monitoring', 'setting'];
const SHOWN_NAMES = 10;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function namesText(names: string[]): string {
  const shown = names.slice(0, SHOWN_NAMES).join(', ');
  return names.length > SHOWN_NAMES ? `${shown} … (${names.length - SHOWN_NAMES} more)` : shown;
}

function byName(nodes: NodeShape[]): Map<string, NodeShape> {
  return new Map(nodes.map((n) => [n.name, n]));
}

/**
 * Nodes present on one side only: members, one line per side naming them; compared roots (`top`, the
 * path of their parent), one line each.
 */
function onlyOnOneSide(path: string, a: NodeShape[], b: NodeShape[], sides: DiffSides, out: Difference[], top?: { parent: string }): void {
  const inA = byName(a);
  const inB = byName(b);
  for (const [side, mine, theirs] of [
    ['a', a, inB],
    ['b', b, inA],
  ] as const) {
    const names = mine.filter((n) => !theirs.has(n.name)).map((n) => n.shown);
    if (!names.length) continue;
    const label = sides[side];
    if (!top) {
      out.push({ path, kind: 'member-names', only: { side, names }, message: `${path}: members only in ${label}: ${namesText(names)}` });
      continue;
    }
    for (const node of mine.filter((n) => !theirs.has(n.name))) {
      const { nodes, checks } = countShape([node]);
      const at = top.parent ? `${top.parent}/${node.name}` : node.name;
      out.push({
        path: at,
        kind: 'node',
        only: { side, names: [node.shown] },
        message: `${at}: only in ${label} (${plural(nodes, 'node')}, ${plural(checks, 'check')})`,
      });
    }
  }
}

function compareSettings(path: string, a: CheckShape, b: CheckShape, out: Difference[]): void {
  // A suite missing on one side says it all: its filters are not there to compare.
  const keys = a.settings.suite !== b.settings.suite ? ['suite'] : [...new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])];
  // A config without `suites:` has no filters to compare (its settings are empty).
  if (!Object.keys(a.settings).length || !Object.keys(b.settings).length) return;
  for (const key of keys) {
    const va = a.settings[key] ?? 'none';
    const vb = b.settings[key] ?? 'none';
    if (va !== vb) out.push({ path, kind: 'setting', check: `${a.key} ${key}`, a: va, b: vb, message: `${path}: ${a.key}: ${key}: ${va} vs ${vb}` });
  }
}

function compareCheck(path: string, a: CheckShape, b: CheckShape, sides: DiffSides, out: Difference[]): void {
  if (a.inMonitoring !== undefined && b.inMonitoring !== undefined && a.inMonitoring !== b.inMonitoring) {
    const lacking = a.inMonitoring ? 'b' : 'a';
    out.push({
      path,
      kind: 'in-monitoring',
      check: a.key,
      a: a.inMonitoring ? 'present' : 'missing',
      b: b.inMonitoring ? 'present' : 'missing',
      message: `${path}: ${a.key}: not in ${sides[lacking]}'s monitoring (missing)`,
    });
  }
  compareSettings(path, a, b, out);
}

function compareChecks(path: string, a: CheckShape[], b: CheckShape[], sides: DiffSides, out: Difference[]): void {
  const inB = new Map(b.map((c) => [c.key, c]));
  const inA = new Map(a.map((c) => [c.key, c]));
  for (const check of a) {
    const twin = inB.get(check.key);
    if (twin) compareCheck(path, check, twin, sides, out);
  }
  const onlyA = a.filter((c) => !inB.has(c.key));
  const onlyB = b.filter((c) => !inA.has(c.key));
  // The same thing checked through another source (Nagios here, Icinga 2 there) is one difference: its type.
  const paired = new Set<CheckShape>();
  for (const check of onlyA) {
    const twin = onlyB.find((c) => c.target === check.target && !paired.has(c));
    if (!twin) continue;
    paired.add(check).add(twin);
    out.push({
      path,
      kind: 'check-type',
      check: check.target,
      a: check.kind,
      b: twin.kind,
      message: `${path}: ${check.target}: check type ${check.kind} vs ${twin.kind}`,
    });
  }
  for (const [side, only] of [
    ['a', onlyA],
    ['b', onlyB],
  ] as const) {
    for (const check of only.filter((c) => !paired.has(c))) {
      const value = side === 'a' ? { a: check.kind } : { b: check.kind };
      const lacking = check.inMonitoring === false ? `; missing from its monitoring` : '';
      out.push({ path, kind: 'check', check: check.key, ...value, message: `${path}: ${check.key}: only in ${sides[side]} (${check.kind}${lacking})` });
    }
  }
}

function compareNode(path: string, a: NodeShape, b: NodeShape, sides: DiffSides, out: Difference[]): void {
  const say = (kind: DifferenceKind, what: string, va: string, vb: string) => {
    if (va !== vb) out.push({ path, kind, a: va, b: vb, message: `${path}: ${what}: ${va} vs ${vb}` });
  };
  say('aggregate', 'aggregate', a.aggregate, b.aggregate);
  say('members.min', 'members.min', String(a.min ?? 'none'), String(b.min ?? 'none'));
  say('members', 'members', String(a.members.length), String(b.members.length));
  onlyOnOneSide(path, a.members, b.members, sides, out);
  compareChecks(path, a.checks, b.checks, sides, out);
  const inB = byName(b.members);
  for (const member of a.members) {
    const twin = inB.get(member.name);
    if (twin) compareNode(`${path}/${member.name}`, member, twin, sides, out);
  }
}

const compareText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Which side a one-sided difference is on ('' for a value on both): A's lines before B's. */
const sideOf = (d: Difference): string => d.only?.side ?? (d.b === undefined ? 'a' : d.a === undefined ? 'b' : '');

/** By node path (segment by segment, so a node's members follow it), the kind's place, the check, the side, then the text. */
function order(x: Difference, y: Difference): number {
  const px = x.path.split('/');
  const py = y.path.split('/');
  for (let i = 0; i < Math.min(px.length, py.length); i++) {
    const c = compareText(px[i], py[i]);
    if (c) return c;
  }
  return (
    px.length - py.length ||
    KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) ||
    compareText(x.check ?? '', y.check ?? '') ||
    compareText(sideOf(x), sideOf(y)) ||
    compareText(x.message, y.message)
  );
}

/**
 * Every difference in shape between two models, or two subtrees (`parent`: the path above them, for
 * the lines), sorted. Empty: the same shape.
 */
export function diffShapes(a: NodeShape[], b: NodeShape[], sides: DiffSides, parent = ''): Difference[] {
  const out: Difference[] = [];
  onlyOnOneSide(parent, a, b, sides, out, { parent });
  const inB = byName(b);
  for (const node of a) {
    const twin = inB.get(node.name);
    if (twin) compareNode(parent ? `${parent}/${node.name}` : node.name, node, twin, sides, out);
  }
  return out.sort(order);
}

/** The lines `vigil model diff` prints: one per difference, then the summary. */
export function renderDiff(differences: Difference[], sides: DiffSides, shapes: { a: NodeShape[]; b: NodeShape[] }): string[] {
  const count = (nodes: NodeShape[]) => {
    const c = countShape(nodes);
    return `${plural(c.nodes, 'node')}, ${plural(c.checks, 'check')}`;
  };
  const between = `${sides.a} (${count(shapes.a)}) and ${sides.b} (${count(shapes.b)})`;
  if (!differences.length) return [`same shape: ${between}`];
  const what = differences.length === 1 ? '1 difference' : `${differences.length} differences`;
  return [...differences.map((d) => d.message), `${what} in shape between ${between}; values read ${sides.a} vs ${sides.b}`];
}
