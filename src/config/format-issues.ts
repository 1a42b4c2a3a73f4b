// zod's issues, rewritten as "path.to.field: what is wrong" lines a person can act on.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

export function formatPath(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : typeof value);

const expectedName = (expected: string): string => ({ record: 'a map', object: 'a map', array: 'a list' })[expected] ?? expected;

const at = (path: readonly PathKey[], message: string): string => {
  const where = formatPath(path);
  return where ? `${where}: ${message}` : message;
};

function describe(issue: Issue): string[] {
  const { path } = issue;
  switch (issue.code) {
    case 'unrecognized_keys':
      // The strict objects in schema.ts put one "key: unknown key …" line per key in the message.
      return issue.message.split('\n').map((line) => (path.length ? `${formatPath(path)}.${line}` : line));
    case 'invalid_type':
      return [
        at(
          path,
          issue.input === undefined ? 'is required' : `expected ${expectedName(issue.expected)}, got ${typeOf(issue.input)} ${JSON.stringify(issue.input)}`,
        ),
      ];
    case 'invalid_union': {
      if (issue.discriminator !== undefined && issue.errors.length === 0) {
        const options = 'options' in issue ? (issue.options ?? []) : [];
        const got = (issue.input as Record<string, unknown> | undefined)?.[String(issue.discriminator)];
        const list = options.map(String).join(', ');
        return [at(path, got === undefined ? `is required (one of ${list})` : `must be one of ${list}, got ${JSON.stringify(got)}`)];
      }
      const expected = issue.errors.flat().flatMap((e) => (e.code === 'invalid_type' ? [expectedName(e.expected)] : []));
      if (expected.length === issue.errors.length && issue.input !== undefined) {
        return [at(path, `expected ${expected.join(' or ')}, got ${typeOf(issue.input)}`)];
      }
      // Some branch got further than a type mismatch: its complaint is the useful one.
      const deepest = issue.errors.find((branch) => branch.some((e) => e.code !== 'invalid_type')) ?? issue.errors[0];
      return deepest?.flatMap((e) => describe({ ...e, path: [...path, ...e.path] } as Issue)) ?? [at(path, issue.message)];
    }
    case 'invalid_key':
      return issue.issues.map((e) => at(path, e.message));
    case 'invalid_value':
      return [at(path, `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`)];
    case 'too_small':
      if (issue.origin === 'array' && !issue.message.startsWith('Too small')) return [at(path, issue.message)];
      if (issue.origin === 'number') return [at(path, `must be at least ${issue.minimum}, got ${JSON.stringify(issue.input)}`)];
      return [at(path, issue.message.startsWith('Too small') ? `must have at least ${issue.minimum} item(s)` : issue.message)];
    default:
      return [at(path, issue.message)];
  }
}

export const formatIssues = (issues: readonly Issue[]): string[] => issues.flatMap(describe);
