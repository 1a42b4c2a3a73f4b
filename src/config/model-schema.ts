// The shape of the service model (docs/model.md). It lives under `model:` in vigil.yaml, inline or as
// the path of a YAML file holding the same map (`modelEntrySchema`, part of the config schema);
// `parseModel` validates a model on its own (the model CLI, a model file, tests).
// Objects are strict, so a typo is an error naming its path instead of a silently ignored setting.
import { resolve } from 'node:path';
import { z } from 'zod';
import { isNagiosObjectName, NAGIOS_FORBIDDEN_LIST } from '../core/index.ts';
import { ConfigError } from '../shared/errors.ts';
import { formatIssues } from './format-issues.ts';
import type { Icinga2Connection } from '../shared/icinga2-api.ts';
import { parseCondition, type Condition } from './model-condition.ts';
import { duration as durationOf, httpUrl, icinga2ConnectionShape, nonEmpty, strict } from './schema-parts.ts';

export type { Condition } from './model-condition.ts';

/** How a node's own state follows from its checks' and members' (Icinga Business Process): worst, best, N-th best. */
export type Aggregate = 'and' | 'or' | { min: number };

/** A discovered member's check: one series of the discovery query, picked by its label value. */
export interface SeriesPick {
  label: string;
  value: string;
}

export type CheckSpec = (
  | { source: 'nagios'; host: string; service?: string }
  | { source: 'icinga2'; host: string; service?: string }
  | { source: 'prometheus'; query: string; condition: Condition; warning?: Condition; series?: SeriesPick }
  | { source: 'prometheus'; alert: string; labels?: Record<string, string> }
  | { source: 'vigil'; suite: string; environment: string }
) & { freshnessMs?: number };

/** Hosts of a Nagios / Icinga 2 host group and/or matching a pattern, each a member with the named services. */
export interface HostDiscoverSpec {
  source: 'nagios' | 'icinga2';
  hostgroup?: string;
  hostPattern?: string;
  /** Services every discovered member must have; one it lacks is a `missing` check. */
  checks: string[];
  /** Include each discovered host's own host check (default true). */
  hostCheck: boolean;
}

/** One member per value of `label` in the answer to `query`; its check is its own series against `condition`. */
export interface SeriesDiscoverSpec {
  source: 'prometheus';
  query: string;
  label: string;
  condition: Condition;
  warning?: Condition;
}

export type DiscoverSpec = HostDiscoverSpec | SeriesDiscoverSpec;

export interface NodeSpec {
  name: string;
  checks: CheckSpec[];
  members: { nodes: NodeSpec[]; discover?: DiscoverSpec; min?: number };
  aggregate: Aggregate;
  /** Inherited by the node's checks and members unless they set their own. */
  freshnessMs?: number;
  /** `vigil serve` sends the node's aggregated state as this passive Nagios/Icinga service (the service-level check). */
  nagios?: { host: string; service: string };
  /** What receives traffic, compared with the members by `vigil model coverage` (docs/model.md, "Coverage"). */
  pool?: PoolSpec;
}

/**
 * Where a node's traffic pool is read: an HAProxy backend through the runtime API, a command printing
 * one name per line, or the values of a label in a Prometheus answer (model.sources.prometheus).
 */
export type PoolSpec = (
  | { source: 'haproxy'; socket: string; backend: string; timeoutMs: number }
  | { source: 'command'; command: string[]; timeoutMs: number; cwd: string }
  | { source: 'prometheus'; query: string; label: string; timeoutMs: number }
) & { rename?: PoolRename; nagios?: CoverageTarget };

/** `vigil serve` sends the node's coverage as this passive Nagios/Icinga service: on a change, and at least every `refreshMs`. */
export interface CoverageTarget {
  host: string;
  service: string;
  refreshMs: number;
}

/** Pool names → member names: the first match of `match` is replaced by `to` (`$1` …); names it does not match are kept. */
export interface PoolRename {
  match: string;
  to: string;
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

export interface Icinga2SourceConfig extends Icinga2Connection {
  timeoutMs: number;
}

export interface PrometheusSourceConfig {
  /** Prometheus' base URL, e.g. http://prometheus:9090 (the API is under /api/v1). */
  url: string;
  timeoutMs: number;
}

export interface Model {
  sources: { nagios?: NagiosSourceConfig; icinga2?: Icinga2SourceConfig; prometheus?: PrometheusSourceConfig };
  /** Overrides the built-in default (2 × an active check's interval, else 10m) for every check. */
  freshnessMs?: number;
  /** How often `vigil serve` evaluates the model (API, UI, gauges, passive results); default 30s. */
  evaluateEveryMs: number;
  nodes: NodeSpec[];
}

const SOURCES = ['nagios', 'icinga2', 'prometheus', 'vigil'] as const;

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

// Icinga 2 joins host and service as `host!service`, so a host name with "!" could not be told apart.
const icingaName = (what: string) =>
  nonEmpty.refine((text) => what !== 'host' || !text.includes('!'), {
    error: (i) => `${JSON.stringify(i.input)} is not a valid Icinga 2 ${what} name (holds "!")`,
  });

const condition = z.string().transform((text, ctx): Condition => {
  const parsed = parseCondition(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a condition: write an operator and a number, e.g. "== 1", "> 0", "<= 0.8"` });
    return z.NEVER;
  }
  return parsed;
});

const prometheusCheck = strict({
  query: nonEmpty.optional(),
  condition: condition.optional(),
  warning: condition.optional(),
  alert: nonEmpty.optional(),
  labels: z.record(z.string(), z.string()).optional(),
}).superRefine((p, ctx) => {
  if ((p.query === undefined) === (p.alert === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'needs either query (with condition) or alert, not both' });
  } else if (p.query !== undefined) {
    if (p.condition === undefined)
      ctx.addIssue({ code: 'custom', path: ['condition'], message: 'is required with query: what every series must satisfy, e.g. "== 1"' });
    if (p.labels !== undefined) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'belongs to alert checks; select series in the query itself' });
  } else {
    for (const key of ['condition', 'warning'] as const) {
      if (p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'belongs to query checks (an alert is firing, pending or not)' });
    }
  }
});

const checkSchema = strict({
  nagios: strict({ host: nagiosName('host'), service: nagiosName('service').optional() }).optional(),
  icinga2: strict({ host: icingaName('host'), service: icingaName('service').optional() }).optional(),
  prometheus: prometheusCheck.optional(),
  vigil: strict({ suite: nonEmpty, environment: nonEmpty }).optional(),
  freshness: duration.optional(),
}).transform((check, ctx): CheckSpec => {
  const given = SOURCES.filter((s) => check[s] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `a check needs exactly one source (${SOURCES.join(', ')}), got ${given.length ? given.join(' and ') : 'none'}`,
    });
    return z.NEVER;
  }
  const freshness = check.freshness === undefined ? {} : { freshnessMs: check.freshness };
  if (check.nagios) return { source: 'nagios', ...check.nagios, ...freshness };
  if (check.icinga2) return { source: 'icinga2', ...check.icinga2, ...freshness };
  if (check.vigil) return { source: 'vigil', ...check.vigil, ...freshness };
  const p = check.prometheus!;
  if (p.alert !== undefined) return { source: 'prometheus', alert: p.alert, ...(p.labels ? { labels: p.labels } : {}), ...freshness };
  return { source: 'prometheus', query: p.query!, condition: p.condition!, ...(p.warning ? { warning: p.warning } : {}), ...freshness };
});

const hostDiscoverSchema = strict({
  source: z.enum(['nagios', 'icinga2']),
  hostgroup: nonEmpty.optional(),
  hostPattern: regex.optional(),
  checks: z.array(nonEmpty).default([]),
  hostCheck: z.boolean().default(true),
}).superRefine((d, ctx) => {
  if (d.hostgroup === undefined && d.hostPattern === undefined) {
    ctx.addIssue({ code: 'custom', message: 'needs hostgroup, hostPattern or both (both: hosts of the group whose name matches)' });
  }
  // Nagios' names are the stricter ones; Icinga's are checked by Icinga.
  if (d.source === 'nagios') {
    const names: Array<[PropertyKey[], string, string]> = [
      ...(d.hostgroup !== undefined ? [[['hostgroup'], d.hostgroup, 'host group'] as [PropertyKey[], string, string]] : []),
      ...d.checks.map((c, i) => [['checks', i], c, 'service'] as [PropertyKey[], string, string]),
    ];
    for (const [path, name, what] of names) {
      if (!isNagiosObjectName(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${JSON.stringify(name)} is not a valid Nagios ${what} name (empty, or holds one of ${NAGIOS_FORBIDDEN_LIST})`,
        });
      }
    }
  }
});

const seriesDiscoverSchema = strict({
  source: z.literal('prometheus'),
  query: nonEmpty,
  label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: (i) => `${JSON.stringify(i.input)} is not a Prometheus label name` }),
  condition,
  warning: condition.optional(),
});

// Picked by `source`, so a typo in a Prometheus discovery is reported against the Prometheus shape
// rather than as "does not match any of three shapes".
const discoverSchema = z.unknown().transform((raw, ctx): DiscoverSpec => {
  const source = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).source : undefined;
  const schema = source === 'prometheus' ? seriesDiscoverSchema : source === 'nagios' || source === 'icinga2' ? hostDiscoverSchema : undefined;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      ...(raw && typeof raw === 'object' ? { path: ['source'] } : {}),
      message: `${source === undefined ? 'is required' : `${JSON.stringify(source)} cannot discover members`}: use "nagios" or "icinga2" (host groups, host patterns) or "prometheus" (the values of a label)`,
    });
    return z.NEVER;
  }
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data as DiscoverSpec;
});

const POOL_SOURCES = ['haproxy', 'command', 'prometheus'] as const;

// Five minutes: a changed coverage is sent at once; an unchanged one is repeated this often, so a
// Nagios freshness check (or a restarted Nagios) gets a result, without a result every evaluation.
const COVERAGE_REFRESH_MS = 300_000;

const poolSchema = strict({
  haproxy: strict({ socket: nonEmpty, backend: nonEmpty }).optional(),
  command: z.array(z.string()).min(1, { error: 'must name a program, e.g. ["list-members", "--pool", "shop"]' }).optional(),
  prometheus: strict({ query: nonEmpty, label: nonEmpty.default('server') }).optional(),
  rename: strict({ match: regex, to: z.string() }).optional(),
  timeout: duration.default(10_000),
  nagios: strict({ host: nagiosName('host'), service: nagiosName('service'), refresh: duration.default(COVERAGE_REFRESH_MS) }).optional(),
}).transform((pool, ctx): PoolSpec => {
  const given = POOL_SOURCES.filter((s) => pool[s] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `a pool needs exactly one source: haproxy: { socket, backend } (the runtime API), command: [argv] (one name per line) or prometheus: { query, label } (the label's values), got ${given.length ? given.join(' and ') : 'none'}`,
    });
    return z.NEVER;
  }
  const rest = {
    timeoutMs: pool.timeout,
    ...(pool.rename ? { rename: pool.rename } : {}),
    ...(pool.nagios ? { nagios: { host: pool.nagios.host, service: pool.nagios.service, refreshMs: pool.nagios.refresh } } : {}),
  };
  if (pool.haproxy) return { source: 'haproxy', ...pool.haproxy, ...rest };
  if (pool.prometheus) return { source: 'prometheus', ...pool.prometheus, ...rest };
  // cwd is the model file's folder, filled in by parseModel with the other paths.
  return { source: 'command', command: pool.command!, cwd: '', ...rest };
});

const aggregateSchema = z.union([z.enum(['and', 'or'], { error: 'must be "and", "or" or { min: N }' }), strict({ min: z.number().int().min(1) })]);

// Recursive through the getter (zod 4's way); the output type is declared by hand above.
const nodeSchema: z.ZodType<NodeSpec, unknown> = strict({
  name: nodeName,
  checks: z.array(checkSchema).default([]),
  get members() {
    return membersSchema;
  },
  aggregate: aggregateSchema.default('and'),
  freshness: duration.optional(),
  nagios: strict({ host: nagiosName('host'), service: nagiosName('service') }).optional(),
  pool: poolSchema.optional(),
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

const timeout = { timeout: duration.default(10_000) };

const icinga2SourceSchema = strict({ ...icinga2ConnectionShape, ...timeout }).transform(({ timeout, ...rest }) => ({ ...rest, timeoutMs: timeout }));

const prometheusSourceSchema = strict({ url: httpUrl, ...timeout }).transform(({ timeout, url }) => ({ url, timeoutMs: timeout }));

export const modelSchema = strict({
  sources: strict({
    nagios: nagiosSourceSchema.optional(),
    icinga2: icinga2SourceSchema.optional(),
    prometheus: prometheusSourceSchema.optional(),
  }).prefault({}),
  freshness: duration.optional(),
  evaluateEvery: duration.default(30_000),
  nodes: z.array(nodeSchema).min(1, { error: 'must list at least one node (a service and its checks and members)' }),
}).transform(
  ({ freshness, evaluateEvery, ...rest }) =>
    ({ ...rest, evaluateEveryMs: evaluateEvery, ...(freshness === undefined ? {} : { freshnessMs: freshness }) }) as Model,
);

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
    throw new ConfigError(
      `${where.replace(/:$/, '')}: must be a map with \`nodes:\` (and \`sources:\`), got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`,
    );
  }
  const parsed = modelSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues).map(prefix));
  const model = parsed.data;
  const problems = crossChecks(model).map(prefix);
  if (problems.length) throw new ConfigError(problems);
  const at = (p: string) => resolve(options.baseDir ?? process.cwd(), p);
  const icinga2 = model.sources.icinga2;
  if (icinga2?.ca) model.sources.icinga2 = { ...icinga2, ca: at(icinga2.ca) };
  const nagios = model.sources.nagios;
  if (nagios) {
    model.sources.nagios = {
      ...nagios,
      statusFile: at(nagios.statusFile),
      objectCache: nagios.objectCache && at(nagios.objectCache),
      commandFile: nagios.commandFile && at(nagios.commandFile),
    };
  }
  resolvePoolPaths(model.nodes, at);
  return model;
}

/** A pool's socket and its command's working directory are relative to the model's file, as every path in it. */
function resolvePoolPaths(nodes: NodeSpec[], at: (p: string) => string): void {
  for (const node of nodes) {
    const pool = node.pool;
    if (pool?.source === 'haproxy') node.pool = { ...pool, socket: at(pool.socket) };
    else if (pool?.source === 'command') node.pool = { ...pool, cwd: at('.') };
    resolvePoolPaths(node.members.nodes, at);
  }
}

/** `model` + `nodes[0]` → `model.nodes[0]`; a file (`shop.yaml:`) + `nodes[0]` → `shop.yaml: nodes[0]`. */
export const joinPath = (where: string, line: string): string =>
  where.endsWith(':') ? `${where} ${line}` : line.startsWith('[') ? `${where}${line}` : `${where}.${line}`;

const SOURCE_EXAMPLE: Record<'nagios' | 'icinga2' | 'prometheus', string> = {
  nagios: 'give at least statusFile: /var/lib/nagios4/status.dat',
  icinga2: 'give url: https://icinga:5665, user and password: "${ICINGA2_PASSWORD}"',
  prometheus: 'give url: http://prometheus:9090',
};

/** Rules across the tree: sibling names are unique, and a source in use is configured. */
function crossChecks(model: Model): string[] {
  const problems: string[] = [];
  const firstUse = new Map<keyof typeof SOURCE_EXAMPLE, string>();
  const use = (source: string, at: string) => {
    if (source in SOURCE_EXAMPLE && !firstUse.has(source as keyof typeof SOURCE_EXAMPLE)) firstUse.set(source as keyof typeof SOURCE_EXAMPLE, at);
  };
  const walk = (nodes: NodeSpec[], path: string) => {
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
      const at = `${path}[${i}]`;
      if (seen.has(node.name)) problems.push(`${at}.name: ${JSON.stringify(node.name)} is already the name of a sibling node`);
      seen.add(node.name);
      node.checks.forEach((c, j) => {
        use(c.source, `${at}.checks[${j}]`);
      });
      if (node.members.discover) use(node.members.discover.source, `${at}.members.discover`);
      if (node.pool?.source === 'prometheus') use('prometheus', `${at}.pool.prometheus`);
      walk(node.members.nodes, `${at}.members.nodes`);
    });
  };
  walk(model.nodes, 'nodes');
  for (const [source, at] of firstUse) {
    if (!model.sources[source]) problems.push(`sources.${source}: is required, because ${at} uses ${source} (${SOURCE_EXAMPLE[source]})`);
  }
  return problems;
}
