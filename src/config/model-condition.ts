// A Prometheus check's condition: `== 1`, `> 0`, `<= 0.8` — a comparison with a number, written as the
// right-hand side of a PromQL comparison so it reads like one. Parsed once at config time; kept as text
// for messages. NaN and ±Inf are allowed because Prometheus returns them.

export type ConditionOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export interface Condition {
  op: ConditionOp;
  value: number;
  /** As written, normalised: `== 1`. */
  text: string;
}

const PATTERN = /^\s*(==|!=|>=|<=|>|<)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)\s*$/;

/** The condition, or undefined when the text is not `<op> <number>`. */
export function parseCondition(text: string): Condition | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const op = m[1] as ConditionOp;
  const value = /Inf$/.test(m[2]) ? (m[2].startsWith('-') ? -Infinity : Infinity) : Number(m[2]);
  return { op, value, text: `${op} ${m[2]}` };
}

/** Prometheus sends sample values as strings ("1", "NaN", "+Inf"); NaN satisfies only `!=`, as in PromQL. */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function satisfies(value: number, c: Condition): boolean {
  switch (c.op) {
    case '==':
      return value === c.value;
    case '!=':
      return value !== c.value;
    case '>':
      return value > c.value;
    case '>=':
      return value >= c.value;
    case '<':
      return value < c.value;
    case '<=':
      return value <= c.value;
  }
}
