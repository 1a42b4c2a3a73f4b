// The shape of the service model (docs/model.md). It lives under `model:` in vigil.yaml, inline or as
// the path of a YAML file holding the same map (`modelEntrySchema`, part of the config schema);
// `parseModel` validates a model on its own (the model CLI, a model file, tests).
// Objects are strict, so a typo is an error naming its path instead of a silently ignored setting.
import { resolve } from 'node:path';
import { z } from 'zod';
import { isNagiosObjectName, NAGIOS_FORBIDDEN_LIST } from '../core/index.ts';
import { ConfigError } from '../shared/errors.ts';
import { formatIssues } from './format-issues.ts';
import { duration as durationOf, nonEmpty, strict } from './schema-parts.ts';

/** How a node's own state follows from its checks' and members' (Icinga Business Process): worst, best, N-th best. */
export type Aggregate = 'and' | 'or' | { min: number };

export type CheckSpec = (
  | { source: 'nagios'; host: string; service?: string }
  | { source: 'vigil'; suite: string; environment: string }
) & { freshnessMs?: number };

export interface DiscoverSpec {
  source: 'nagios';
  hostgroup?: string;
  hostPattern?: string;
  /** Services every discovered member must have; one it lacks is a `missing` check. */
  checks: string[];
  /** Include each discovered host's own host check (default true). */
  hostCheck: boolean;
}

export interface NodeSpec {
  name: string;
  checks: CheckSpec[];
  members: { nodes: NodeSpec[]; discover?: DiscoverSpec; min?: number };
  aggregate: Aggregate;
  /** Inherited by the node's checks and members unless they set their own. */
  freshnessMs?: number;
}

export interface NagiosSourceConfig {
  statusFile: string;
  /** For host group discovery (status.dat has no group membership); default objects.cache next to status.dat. */
  objectCache?: string;
  /** For forced re-checks; absent: Vigil cannot ask Nagios to re-check. */
  commandFile?: string;
  /** nagios.cfg `interval_length`: what one unit of check_interval is. */
  intervalLengthMs: number;
  /** status.dat older than this means Nagios stopped writing it: the source is unreachable. */
  statusMaxAgeMs: number;
}

export interface Model {
  sources: { nagios?: NagiosSourceConfig };
  /** Overrides the built-in default (2 × an active check's interval, else 10m) for every check. */
  freshnessMs?: number;
  nodes: NodeSpec[];
}

// Later sources (icinga2, prometheus) become keys here and a branch in toCheckSpec.
const IMPLEMENTED_SOURCES = ['nagios', 'vigil'] as const;
const PLANNED_SOURCES = ['icinga2', 'prometheus'] as const;

const duration = durationOf({ positive: true });

const nagiosName = (what: string) =>
  z.string().refine(isNagiosObjectName, {
    error: (i) => `${JSON.stringify(i.input)} is not a valid Nagios ${what} name (empty, or holds one of ${NAGIOS_FORBIDDEN_LIST})`,
  });

const nodeName = nonEmpty.refine((text) => !text.includes('/') && text.trim() === text, {
  error: (i) => `node name ${JSON.stringify(i.input)} must not contain "/" (it separates names in a path) nor start or end with a space`,
});

const regex = nonEmpty.superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a regular expression: ${(err as Error).message}` });
  }
});

const checkSchema = strict({
  nagios: strict({ host: nagiosName('host'), service: nagiosName('service').optional() }).optional(),
  vigil: strict({ suite: nonEmpty, environment: nonEmpty }).optional(),
  ...Object.fromEntries(PLANNED_SOURCES.map((s) => [s, z.unknown().optional()])),
  freshness: duration.optional(),
}).transform((check, ctx): CheckSpec => {
  const given = [...IMPLEMENTED_SOURCES, ...PLANNED_SOURCES].filter((s) => (check as Record<string, unknown>)[s] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `a check needs exactly one source (${IMPLEMENTED_SOURCES.join(' or ')}), got ${given.length ? given.join(' and ') : 'none'}`,
    });
    return z.NEVER;
  }
  const freshness = check.freshness === undefined ? {} : { freshnessMs: check.freshness };
  if (check.nagios) return { source: 'nagios', ...check.nagios, ...freshness };
  if (check.vigil) return { source: 'vigil', ...check.vigil, ...freshness };
  ctx.addIssue({
    code: 'custom',
    path: [given[0]],
    message: `${given[0]} checks are not implemented yet (available: ${IMPLEMENTED_SOURCES.join(', ')})`,
  });
  return z.NEVER;
});

const discoverSchema = strict({
  source: z.literal('nagios', { error: 'must be "nagios" (the only source that can discover members yet)' }),
  hostgroup: nagiosName('host group').optional(),
  hostPattern: regex.optional(),
  checks: z.array(nagiosName('service')).default([]),
  hostCheck: z.boolean().default(true),
}).refine((d) => d.hostgroup !== undefined || d.hostPattern !== undefined, {
  error: 'needs hostgroup, hostPattern or both (both: hosts of the group whose name matches)',
});

const aggregateSchema = z.union([
  z.enum(['and', 'or'], { error: 'must be "and", "or" or { min: N }' }),
  strict({ min: z.number().int().min(1) }),
]);

// Recursive through the getter (zod 4's way); the output type is declared by hand above.
const nodeSchema: z.ZodType<NodeSpec, unknown> = strict({
  name: nodeName,
  checks: z.array(checkSchema).default([]),
  get members() {
    return membersSchema;
  },
  aggregate: aggregateSchema.default('and'),
  freshness: duration.optional(),
}).transform(({ freshness, ...node }) => ({ ...node, ...(freshness === undefined ? {} : { freshnessMs: freshness }) }) as NodeSpec);

const membersSchema = z
  .union([
    z.array(z.lazy(() => nodeSchema)),
    strict({
      nodes: z.array(z.lazy(() => nodeSchema)).default([]),
      discover: discoverSchema.optional(),
      /** Fewer members present than this is a finding, not a silent gap. */
      min: z.number().int().min(0).optional(),
    }),
  ])
  .default([])
  .transform((m) => (Array.isArray(m) ? { nodes: m } : m));

const nagiosSourceSchema = strict({
  statusFile: nonEmpty,
  objectCache: nonEmpty.optional(),
  commandFile: nonEmpty.optional(),
  intervalLength: duration.default(60_000),
  statusMaxAge: duration.default(120_000),
}).transform(({ intervalLength, statusMaxAge, ...rest }) => ({ ...rest, intervalLengthMs: intervalLength, statusMaxAgeMs: statusMaxAge }));

export const modelSchema = strict({
  sources: strict({ nagios: nagiosSourceSchema.optional() }).prefault({}),
  freshness: duration.optional(),
  nodes: z.array(nodeSchema).min(1, { error: 'must list at least one node (a service and its checks and members)' }),
}).transform(({ freshness, ...rest }) => ({ ...rest, ...(freshness === undefined ? {} : { freshnessMs: freshness }) }) as Model);

/** What `model:` in vigil.yaml holds: the model itself, or the path of a YAML file holding it. */
export const modelEntrySchema = z.union([nonEmpty, modelSchema]);

export interface ParseModelOptions {
  /** Relative paths in `sources` resolve against this folder (the file's). Default: the working directory. */
  baseDir?: string;
}

/**
 * Validates a model (the YAML value of `model:` or of a model file) and returns it with durations in ms
 * and paths absolute. Throws ConfigError whose problems each start with `where` and the path in it,
 * e.g. `model.nodes[0].checks[1]: a check needs exactly one source …`.
 */
export function parseModel(raw: unknown, where = 'model', options: ParseModelOptions = {}): Model {
  const prefix = (line: string) => joinPath(where, line);
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${where.replace(/:$/, '')}: must be a map with \`nodes:\` (and \`sources:\`), got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`);
  }
  const parsed = modelSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues).map(prefix));
  const model = parsed.data;
  const problems = crossChecks(model).map(prefix);
  if (problems.length) throw new ConfigError(problems);
  const nagios = model.sources.nagios;
  if (nagios) {
    const at = (p: string) => resolve(options.baseDir ?? process.cwd(), p);
    model.sources.nagios = {
      ...nagios,
      statusFile: at(nagios.statusFile),
      objectCache: nagios.objectCache && at(nagios.objectCache),
      commandFile: nagios.commandFile && at(nagios.commandFile),
    };
  }
  return model;
}

/** `model` + `nodes[0]` → `model.nodes[0]`; a file (`shop.yaml:`) + `nodes[0]` → `shop.yaml: nodes[0]`. */
export const joinPath = (where: string, line: string): string =>
  where.endsWith(':') ? `${where} ${line}` : line.startsWith('[') ? `${where}${line}` : `${where}.${line}`;

/** Rules across the tree: sibling names are unique, and a source in use is configured. */
function crossChecks(model: Model): string[] {
  const problems: string[] = [];
  let nagiosUse: string | undefined;
  const walk = (nodes: NodeSpec[], path: string) => {
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
      const at = `${path}[${i}]`;
      if (seen.has(node.name)) problems.push(`${at}.name: ${JSON.stringify(node.name)} is already the name of a sibling node`);
      seen.add(node.name);
      node.checks.forEach((c, j) => {
        if (c.source === 'nagios') nagiosUse ??= `${at}.checks[${j}]`;
      });
      if (node.members.discover) nagiosUse ??= `${at}.members.discover`;
      walk(node.members.nodes, `${at}.members.nodes`);
    });
  };
  walk(model.nodes, 'nodes');
  if (nagiosUse && !model.sources.nagios) {
    problems.push(`sources.nagios: is required, because ${nagiosUse} uses Nagios (give at least statusFile: /var/lib/nagios4/status.dat)`);
  }
  return problems;
}
