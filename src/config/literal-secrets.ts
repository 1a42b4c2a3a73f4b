// DESIGN.md: "Secrets come only from the environment or files, never from the YAML itself."
// A YAML file gets committed, pasted into tickets and printed by `config check`; a token in it leaks.
import { SECRET_NAME } from '../shared/redact.ts';
import { formatPath } from './format-issues.ts';
import { hasEnvReference } from './interpolate.ts';

// Outside headers only names that end like a credential: `sessionTimeout` or `SESSION_COOKIE_NAME`
// are settings, not secrets.
const SECRET_KEY = /(password|passwd|token|secret|api[-_]?key)$/i;
// `fields` maps tenant fields to dot paths in an answer (`password: owner.password`): names, not values.
const NOT_VALUES = new Set(['fields', 'secretFields']);
const AUTH_SCHEME = /^(Bearer|Basic|Token|Digest)\s+/i;

const isTemplated = (text: string) => hasEnvReference(text) || /\{\{.+?\}\}/.test(text);

// A variable name for the value at `path`: named after what owns it (`tenants.shop…` → SHOP_…,
// `exporters.nagios.nrdp.token` → NRDP_TOKEN), and Vigil's own settings after Vigil and their path
// (`api.token` → VIGIL_API_TOKEN, the variable the docs and `vigil gate` use).
function variableFor(path: PropertyKey[], key: string): string {
  const suffix = /authorization/i.test(key) ? 'TOKEN' : key;
  const top = String(path[0]);
  const words =
    top === 'exporters' && path.length > 2
      ? [path[path.length - 2], suffix]
      : ['tenants', 'suites', 'environments'].includes(top) && path.length > 2
        ? [path[1], suffix]
        : ['vigil', ...path.slice(0, -1), suffix];
  const name = words
    .filter((w) => typeof w === 'string')
    .join('_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2') // adminPassword → admin_Password
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  // A variable name cannot start with a digit (a tenant called 2fa).
  return /^[0-9]/.test(name) ? `VIGIL_${name}` : name;
}

function suggestion(path: PropertyKey[], key: string, literal: string): string {
  const scheme = AUTH_SCHEME.exec(literal)?.[0] ?? '';
  return `${scheme}\${${variableFor(path, key)}}`;
}

/** Problems for secret-looking values written literally in the (not yet interpolated) YAML tree. */
export function findLiteralSecrets(input: unknown): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: PropertyKey[], inHeaders: boolean) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, [...path, i], false);
      });
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (NOT_VALUES.has(key)) continue;
      const here = [...path, key];
      if (typeof item === 'string') {
        const secretName = inHeaders ? SECRET_NAME.test(key) : SECRET_KEY.test(key);
        if (secretName && item.trim() !== '' && !isTemplated(item)) {
          problems.push(`${formatPath(here)}: put secrets in the environment, e.g. ${JSON.stringify(suggestion(here, key, item))}`);
        }
      } else {
        walk(item, here, key === 'headers');
      }
    }
  };
  walk(input, [], false);
  return problems;
}
