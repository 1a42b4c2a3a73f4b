// The shape of vigil.yaml (docs/configuration.md is the reference for people; this is the one for code).
// Every object is strict so a typo is an error instead of a silently ignored setting.
import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import { DEFAULT_SERVICE_PREFIX, hasForbiddenNagiosChar, isNagiosObjectName, NAGIOS_FORBIDDEN_LIST, NSCA_METHOD_PROBLEM, nscaMethodOf } from '../core/index.ts';
import { defaultConcurrency, RUN_MEMORY_MIB } from '../shared/box-capacity.ts';
import { storeLocationProblem } from '../shared/store-location.ts';
import { errorQueriesSchema } from './error-query-schema.ts';
import { maintenanceSchema } from './maintenance-schema.ts';
import { modelEntrySchema } from './model-schema.ts';
import { scenariosSchema } from './scenario-schema.ts';
import { duration, httpUrl, icinga2ConnectionShape, nonEmpty, strict } from './schema-parts.ts';

/** Suite, environment and provisioner names end up in metric labels, tenant names and Nagios services. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const NAME_RULE = 'lowercase letters, digits, "-" and "_", starting with a letter or digit';

const name = (what: string) => z.string().regex(NAME_PATTERN, { error: (i) => `${what} name ${JSON.stringify(i.input)} must use ${NAME_RULE}` });

const nameRecord = <T extends z.ZodType>(what: string, value: T) => z.record(name(what), value);

const stringMap = z.record(z.string(), z.string());

const cron = z.string().refine((text) => isValidCron(text), {
  error: (i) => `${JSON.stringify(i.input)} is not a valid cron expression (e.g. "*/5 * * * *")`,
});

const browserShape = {
  executablePath: nonEmpty.optional(),
  /** For headless projects (Chromium's headless shell); found by itself next to the system Chromium. */
  headlessExecutablePath: nonEmpty.optional(),
  /** Extra Chromium flags, e.g. for an old @playwright/test next to a newer system Chromium. */
  args: z.array(z.string()).default([]),
  /** Runs connect to one browser per Playwright installation (docs/running-playwright.md, "Shared browser"); `always`: even projects with their own launchOptions. */
  shared: z.union([z.boolean(), z.literal('always')]).optional(),
};
const browserSchema = strict(browserShape);
// The top level also says when a shared browser is replaced by a fresh one.
const topBrowserSchema = strict({
  ...browserShape,
  restartAfterRuns: z.number().int().min(1).default(200),
  restartAfter: duration({ positive: true }).default(6 * 3_600_000),
});

const nagiosName = (what: string) =>
  nonEmpty.refine(isNagiosObjectName, {
    error: (i) => `${JSON.stringify(i.input)} is not a valid Nagios ${what} name (no ${NAGIOS_FORBIDDEN_LIST})`,
  });

const envVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `${JSON.stringify(i.input)} is not an environment variable name` });

// Playwright `use` options applied over the suite's own, at the top level and in every project, like
// baseURL. The two Vigil sets itself are refused here, so that no setting silently loses.
const useSchema = z.record(z.string(), z.unknown()).superRefine((use, ctx) => {
  if ('baseURL' in use) ctx.addIssue({ code: 'custom', path: ['baseURL'], message: 'comes from environments.<name>.baseURL, not from use' });
  if ('launchOptions' in use)
    ctx.addIssue({ code: 'custom', path: ['launchOptions'], message: 'set the browser binary and its arguments with browser: { executablePath, args }' });
});

/** Marks Vigil's traffic: true sends `X-Vigil-Run: <run id>` with every request of the suite; a string names the header. */
const syntheticHeaderSchema = z.union([
  z.boolean(),
  z.string().regex(/^[A-Za-z0-9-]+$/, { error: (i) => `${JSON.stringify(i.input)} is not an HTTP header name` }),
]);

const environmentSchema = strict({
  baseURL: httpUrl,
  tenants: name('provisioner'),
  /** Nagios/Icinga host that carries this environment's services; default the environment name. */
  nagiosHost: nagiosName('host').optional(),
  env: stringMap.optional(),
  /** Playwright `use` options for every suite on this environment (over the suite's `use`), e.g. ignoreHTTPSErrors. */
  use: useSchema.optional(),
  syntheticHeader: syntheticHeaderSchema.optional(),
  /** Prometheus queries asked over every passed run's window here (docs/configuration.md, "errorQueries"). */
  errorQueries: errorQueriesSchema.optional(),
  /**
   * Whether this is production: a scheduled scenario may act on it only with its own `production: true`.
   * Unset, an environment named prod, production, or starting prod-/production- counts as production.
   */
  production: z.boolean().optional(),
});

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const httpRequest = (defaultMethod: (typeof HTTP_METHODS)[number]) =>
  strict({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }))
      .default(defaultMethod),
    /** Templated per run ({{environment.baseURL}}, {{tenant.name}}, {{tenant.<field>}}, {{env.X}}). */
    url: nonEmpty,
    headers: stringMap.default({}),
    body: z.unknown().optional(),
  });

const fieldPaths = z.object({ id: nonEmpty }).catchall(nonEmpty);
/** Where the reaper finds each listed tenant's id, name and age (default id, name, createdAt). */
const listFields = strict({ id: nonEmpty, name: nonEmpty, createdAt: nonEmpty.optional() });

const tenantCommon = {
  prefix: z
    .string()
    .regex(/^[a-z0-9-]+$/, { error: 'must use lowercase letters, digits and dashes only' })
    .default('vigil'),
  ttl: duration({ positive: true }).default(2 * 3_600_000),
  timeout: duration({ positive: true }).default(30_000),
  /** Fields whose values are secret besides those whose names match SECRET_NAME. */
  secretFields: z.array(z.string()).default([]),
  env: strict({
    json: nonEmpty.default('VIGIL_TENANT_JSON'),
    prefix: z.string().default('VIGIL_TENANT_'),
    /** Extra names for fields, as the suite already reads them: `{ E2E_USER: email, ADMIN_PASSWORD: password }`. */
    map: z.record(envVariableName, nonEmpty).default({}),
  }).prefault({}),
};

const httpProvisioner = strict({
  kind: z.literal('http'),
  ...tenantCommon,
  create: httpRequest('POST'),
  fields: fieldPaths,
  delete: httpRequest('DELETE'),
  list: strict({
    ...httpRequest('GET').shape,
    /** Dot path to the array of tenants in the answer; absent when the answer is the array. */
    items: nonEmpty.optional(),
    fields: listFields.optional(),
  }).optional(),
});

// An argv array, never a shell string: no quoting surprises, and secrets in arguments are not re-parsed
// by a shell. Write ["sh", "-c", "…"] when a shell is really wanted.
const commandCall = strict({
  command: z.array(z.string()).min(1, { error: 'must name a program, e.g. ["node", "tenants/create.ts"]' }),
  cwd: nonEmpty.optional(),
  env: stringMap.optional(),
});

const commandProvisioner = strict({
  kind: z.literal('command'),
  ...tenantCommon,
  create: commandCall,
  /** Dot paths into the printed JSON; absent: every scalar of it becomes a field. */
  fields: fieldPaths.optional(),
  delete: commandCall,
  list: strict({ ...commandCall.shape, fields: listFields.optional() }).optional(),
});

const moduleProvisioner = strict({
  kind: z.literal('module'),
  ...tenantCommon,
  /** A TS/JS file exporting create, destroy and optionally list. */
  module: nonEmpty,
  options: z.record(z.string(), z.unknown()).default({}),
  /** Dot paths into the returned object; absent: every scalar of it becomes a field. */
  fields: fieldPaths.optional(),
});

export const PROVISIONER_KINDS = ['http', 'command', 'module'] as const;

const provisionerSchema = z.discriminatedUnion('kind', [httpProvisioner, commandProvisioner, moduleProvisioner]);

/** A grep applies to every environment, or per environment by name. */
const grepSchema = z.union([nonEmpty, z.record(z.string(), nonEmpty)]);
/** Playwright's positional filters (a folder, a file, file:line), for every environment or per environment. */
const fileFilter = nonEmpty.refine((f) => !f.startsWith('-'), {
  error: (i) => `${JSON.stringify(i.input)} would be read as a Playwright option; name a folder or file (e.g. tests/e2e)`,
});
const filesSchema = z.union([fileFilter, z.array(fileFilter).min(1), z.record(z.string(), z.union([fileFilter, z.array(fileFilter).min(1)]))]);

const nagiosState = z
  .number()
  .refine((n) => n === 0 || n === 1 || n === 2 || n === 3, {
    error: (i) => `must be a Nagios state: 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN), got ${JSON.stringify(i.input)}`,
  })
  .transform((n) => n as 0 | 1 | 2 | 3);
/** Run status → Nagios state; default passed 0, flaky 1, failed 2, error 3. */
const stateMapSchema = strict({
  passed: nagiosState.optional(),
  flaky: nagiosState.optional(),
  failed: nagiosState.optional(),
  error: nagiosState.optional(),
});

const suiteNagiosSchema = strict({
  /** Service description; default `${exporters.nagios.servicePrefix}${suite}`. */
  service: nagiosName('service').optional(),
  stateMap: stateMapSchema.optional(),
});

const suiteSchema = strict({
  path: nonEmpty,
  config: nonEmpty.optional(),
  environments: z.array(z.string()).min(1, { error: 'must list at least one environment' }),
  schedule: cron.optional(),
  timeout: duration({ positive: true }).default(10 * 60_000),
  retries: z.number().int().min(0).optional(),
  grep: grepSchema.optional(),
  grepInvert: grepSchema.optional(),
  files: filesSchema.optional(),
  projects: z.array(nonEmpty).min(1).optional(),
  workers: z.number().int().min(1).optional(),
  keepReporters: z.boolean().default(false),
  browser: browserSchema.optional(),
  env: stringMap.optional(),
  /** Playwright `use` options over the suite's own (e.g. video: off); an environment's `use` goes over these. */
  use: useSchema.optional(),
  syntheticHeader: syntheticHeaderSchema.optional(),
  /** As the environment's, for this suite's runs; one of the same name replaces the environment's. */
  errorQueries: errorQueriesSchema.optional(),
  nagios: suiteNagiosSchema.optional(),
  /** Where it runs from: each fire runs once per location, on a replica with that `--location` (docs/deploy.md). */
  locations: z.array(name('location')).min(1, { error: 'must list at least one location (or leave locations out)' }).optional(),
  /** The pair is CRITICAL once this many locations' newest runs failed; fewer is WARNING. Default 1. */
  minFailedLocations: z.number().int().min(1).optional(),
  /** A location whose newest run is older than this has no answer. Default 1h. */
  locationStaleAfter: duration({ positive: true }).optional(),
}).superRefine((suite, ctx) => {
  const { locations, minFailedLocations, locationStaleAfter } = suite;
  if (!locations) {
    for (const [key, value] of [
      ['minFailedLocations', minFailedLocations],
      ['locationStaleAfter', locationStaleAfter],
    ] as const) {
      if (value !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only means something with locations: [...]' });
    }
    return;
  }
  const twice = locations.filter((l, i) => locations.indexOf(l) !== i);
  if (twice.length) ctx.addIssue({ code: 'custom', path: ['locations'], message: `lists ${twice.map((l) => JSON.stringify(l)).join(', ')} more than once` });
  if (minFailedLocations !== undefined && minFailedLocations > locations.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['minFailedLocations'],
      message: `is ${minFailedLocations}, but the suite runs from ${locations.length} location(s): it could never be CRITICAL`,
    });
  }
});

/**
 * Only what decides which tests of a suite run where, every other key passed over: `vigil model diff`
 * compares it between two config files without needing their tenants, exporters or secrets.
 */
export const suiteFiltersSchema = z.record(
  z.string(),
  z.looseObject({
    environments: z.array(z.string()).optional(),
    grep: grepSchema.optional(),
    grepInvert: grepSchema.optional(),
    files: filesSchema.optional(),
    projects: z.array(nonEmpty).min(1).optional(),
  }),
);
export type SuiteFilters = z.output<typeof suiteFiltersSchema>;

const port = z.number().int().min(1).max(65_535);

const nscaSchema = strict({
  host: nonEmpty,
  port: port.default(5667),
  /** nsca.cfg `decryption_method`: a number or none, xor, des, 3des, rijndael-128 (aes). */
  encryption: z.union([z.string(), z.number()]).optional(),
  password: z.string().optional(),
}).superRefine((nsca, ctx) => {
  const method = nscaMethodOf(nsca.encryption);
  if (method === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['encryption'],
      message: `NSCA encryption method ${JSON.stringify(nsca.encryption)} is not supported; ${NSCA_METHOD_PROBLEM}`,
    });
    return;
  }
  if (method !== 0 && !nsca.password) {
    ctx.addIssue({
      code: 'custom',
      path: ['password'],
      message: `encryption ${JSON.stringify(nsca.encryption)} needs the nsca.cfg password, e.g. "\${NSCA_PASSWORD}"`,
    });
  }
});

const icinga2Schema = strict(icinga2ConnectionShape);

const exportersSchema = strict({
  prometheus: strict({
    /** node_exporter textfile written after each `vigil run` (atomically). */
    textfile: nonEmpty.refine((p) => p.endsWith('.prom'), { error: 'must end in .prom, or node_exporter will not read it' }).optional(),
    /** Pushgateway for one-shot runs; grouped by job, suite and environment. */
    pushgateway: strict({ url: httpUrl, job: name('job').default('vigil') }).optional(),
  }).prefault({}),
  nagios: strict({
    stateMap: stateMapSchema.optional(),
    servicePrefix: z
      .string()
      .refine((text) => !hasForbiddenNagiosChar(text), { error: 'must not hold characters Nagios forbids in names' })
      .default(DEFAULT_SERVICE_PREFIX),
    /** Per delivery attempt, per transport: one slow transport never holds up another. */
    timeout: duration({ positive: true }).default(10_000),
    commandFile: nonEmpty.optional(),
    nsca: nscaSchema.optional(),
    nrdp: strict({ url: httpUrl, token: nonEmpty }).optional(),
    icinga2: icinga2Schema.optional(),
    /** What a paused pair sends: an OK result saying "paused until …" (default), or a scheduled downtime where the transport can. */
    paused: z.enum(['ok', 'downtime']).default('ok'),
  }).prefault({}),
  /** Undelivered Nagios results: retried with backoff, given up (and counted) after maxAge or maxAttempts. */
  spool: strict({
    maxAge: duration({ positive: true }).default(24 * 3_600_000),
    maxAttempts: z.number().int().min(1).default(200),
  }).prefault({}),
});

// An IANA zone Intl knows, or schedules would silently fire in UTC.
const timezone = nonEmpty.refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: (i) => `${JSON.stringify(i.input)} is not a time zone (use an IANA name, e.g. "Europe/Berlin" or "UTC")` },
);

const listenAddress = nonEmpty.refine((text) => /^(\[[0-9a-fA-F:.]+\]|[^\s:]*):\d{1,5}$/.test(text) && Number(text.split(':').pop()) <= 65_535, {
  error: (i) => `${JSON.stringify(i.input)} is not host:port (e.g. "0.0.0.0:9464"; port 0 picks a free one)`,
});

/** `vigil serve`: the HTTP API, the scheduler's limits and the shutdown grace (docs/service.md). */
const apiSchema = strict({
  listen: listenAddress.default('127.0.0.1:9464'),
  /** Bearer token for POST /api/runs and the UI's trigger button; absent: triggering is disabled. */
  // Empty counts as unset, so `"${VIGIL_API_TOKEN:-}"` lets one config serve `vigil run` without the variable.
  token: z
    .string()
    .optional()
    .transform((t) => t || undefined),
  /** Bearer (or Basic password) for /artifacts/… only; api.token is accepted there too. Empty counts as unset. */
  readToken: z
    .string()
    .optional()
    .transform((t) => t || undefined),
  /** Suites running at once; default from the box's cores and memory (src/shared/box-capacity.ts). */
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(() => defaultConcurrency()),
  /** What one run holds at its peak, MiB: a queued run waits while less than this is free (0: no memory guard). */
  memoryPerRun: z.number().int().min(0).default(RUN_MEMORY_MIB),
  /** Runs waiting for a free slot; beyond it a trigger is refused (429) and a scheduled fire skipped. */
  maxQueue: z.number().int().min(0).max(10_000).default(20),
  /** Time zone of every `schedule`; default the process's (TZ). */
  timezone: timezone.optional(),
  /** Each scheduled fire waits a random 0…jitter, so many suites on one schedule do not start together. */
  jitter: duration({ positive: false }).default(0),
  /** Reaper pass interval while serving (one also runs at start-up). */
  reapEvery: duration({ positive: true }).default(15 * 60_000),
  /** On SIGTERM/SIGINT, how long in-flight runs may go on before they are interrupted. */
  grace: duration({ positive: false }).default(30_000),
  /** Where people reach this UI (https://vigil.example.com): alerts link to run and suite pages with it. */
  publicURL: httpUrl.transform((url) => url.replace(/\/+$/, '')).optional(),
  /**
   * How long a running run stays its replica's without a renewal (renewed every quarter): after it,
   * another replica records the run as interrupted and deletes its tenant (docs/deploy.md).
   */
  lease: duration({ positive: true })
    .default(60_000)
    .refine(
      (ms) => ms >= 10_000 && ms <= 300_000,
      "must be between 10s and 5m: shorter ones are lost to a slow database, longer ones leave a dead replica's runs unrecorded",
    ),
});

export const vigilConfigSchema = strict({
  /** A file (the embedded SQLite store) or a postgres:// URL (`"${VIGIL_DATABASE_URL}"`, for replicas). */
  store: nonEmpty.default('./data/vigil.db').superRefine((location, ctx) => {
    const problem = storeLocationProblem(location);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  artifacts: strict({
    dir: nonEmpty.default('./data/artifacts'),
    keep: z.number().int().min(0).default(50),
    maxAge: duration({ positive: true }).default(7 * 86_400_000),
  }).prefault({}),
  // Run rows kept in the store, per suite × environment (docs/configuration.md, "runs").
  runs: strict({
    keep: z.number().int().min(1).default(2_000),
    maxAge: duration({ positive: true }).default(90 * 86_400_000),
  }).prefault({}),
  browser: topBrowserSchema.optional(),
  environments: nameRecord('environment', environmentSchema),
  tenants: nameRecord('provisioner', provisionerSchema),
  suites: nameRecord('suite', suiteSchema),
  exporters: exportersSchema.prefault({}),
  api: apiSchema.prefault({}),
  /** The service model (docs/model.md): inline, or the path of a YAML file holding it. */
  model: modelEntrySchema.optional(),
  /** Scenario defaults, named actions and a team's own steps (docs/scenarios.md). */
  scenarios: scenariosSchema.optional(),
  /** Planned quiet times (cron + duration): the pairs they name are paused (docs/service.md). */
  maintenance: maintenanceSchema,
});

export type VigilConfig = z.output<typeof vigilConfigSchema>;
export type VigilConfigInput = z.input<typeof vigilConfigSchema>;
export type EnvironmentConfig = VigilConfig['environments'][string];
export type ProvisionerConfig = VigilConfig['tenants'][string];
export type HttpProvisionerConfig = Extract<ProvisionerConfig, { kind: 'http' }>;
export type CommandProvisionerConfig = Extract<ProvisionerConfig, { kind: 'command' }>;
export type ModuleProvisionerConfig = Extract<ProvisionerConfig, { kind: 'module' }>;
export type SuiteConfig = VigilConfig['suites'][string];
export type BrowserConfig = NonNullable<VigilConfig['browser']>;
