// Secrets must never reach logs, stored results or exports. A redactor knows the secret *values*
// (tokens from the environment, tenant passwords) and replaces every occurrence, so a secret that a
// test echoes into an assertion message is caught too, not only fields named "password".
import { secretPattern } from './secret-pattern.ts';

export type Redactor = ((text: string) => string) & {
  add(...secrets: Array<string | undefined | null>): void;
  /** Deep-copies a JSON-able value with every string redacted. */
  value<T>(value: T): T;
};

/** What every secret is replaced with, wherever it is found. */
export const MASK = '***';
// Short values ("1", "ok") would mangle ordinary text and are not credentials worth the name.
const MIN_SECRET_LENGTH = 4;

export function createRedactor(initial: Iterable<string | undefined | null> = []): Redactor {
  const secrets = new Set<string>();
  let pattern: RegExp | null = null;

  const rebuild = () => {
    const sorted = [...secrets].sort((a, b) => b.length - a.length);
    pattern = sorted.length ? new RegExp(sorted.map(secretPattern).join('|'), 'g') : null;
  };

  const redact = ((text: string) => (pattern && text ? text.replace(pattern, MASK) : text)) as Redactor;

  redact.add = (...values) => {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH || secrets.has(v)) continue;
      // The pattern also finds it URL-, form-, JSON- and HTML-encoded: see secret-pattern.ts.
      secrets.add(v);
      changed = true;
    }
    if (changed) rebuild();
  };

  redact.value = <T>(value: T): T => {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  };

  redact.add(...initial);
  return redact;
}

/** Field names whose values are secret by default (tenant fields, headers). */
export const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|credential|authorization|cookie|session/i;
