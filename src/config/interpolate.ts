// `${VAR}` is filled from the environment once, when the file loads. `{{…}}` is left for run time.
import { formatPath } from './format-issues.ts';

export interface Interpolated {
  value: unknown;
  /** Values taken from the environment: the redactor must mask them wherever they show up. */
  secrets: string[];
  /** Which variable filled a value where (its top-level section): decides what the suite may inherit. */
  consumed: Array<{ name: string; section: string }>;
  problems: string[];
  /** Config paths whose value could not be filled; later complaints about them would only be noise. */
  failedPaths: Set<string>;
}

// `$${` is a literal `${`; `${NAME}` or `${NAME:-default}`; a lone `${` is a mistake worth reporting.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/** True when the text takes at least one value from the environment. */
export const hasEnvReference = (text: string): boolean => [...text.matchAll(REFERENCE)].some((m) => m[0] !== '$${' && m[1] !== undefined);

export function interpolate(input: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const secrets = new Set<string>();
  const consumed: Interpolated['consumed'] = [];
  const problems: string[] = [];
  const failedPaths = new Set<string>();

  const fill = (text: string, path: PropertyKey[]): string =>
    text.replace(REFERENCE, (match: string, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const where = formatPath(path);
      if (name === undefined) {
        problems.push(`${where}: ${JSON.stringify(match)} is not a valid reference (use \${NAME} or \${NAME:-default}; write $\${ for a literal \${)`);
        failedPaths.add(where);
        return '';
      }
      const value = env[name];
      // Like the shell: the default applies when the variable is unset or empty.
      if (fallback !== undefined && (value === undefined || value === '')) return fallback;
      if (value === undefined) {
        problems.push(`${where}: environment variable ${name} is not set`);
        failedPaths.add(where);
        return '';
      }
      secrets.add(value);
      consumed.push({ name, section: String(path[0]) });
      return value;
    });

  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') return fill(value, path);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };

  const value = walk(input, []);
  return { value, secrets: [...secrets].filter((s) => s !== ''), consumed, problems, failedPaths };
}
