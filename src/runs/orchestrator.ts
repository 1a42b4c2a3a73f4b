// One monitored run: ledger row → create tenant → the app's own suite → destroy tenant → RunResult.
// The shape of Playwright's task runner: `attempt` holds all the sequencing — each setup registers its
// teardown as it starts, teardowns run in reverse order whatever happened — and returns only when every
// teardown has run. Then `record` (the one exit) stamps, saves and publishes the complete result.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { emptyCounts, targetProblem, type ErrorPhase, type RunPhase, type RunResult, type Trigger } from '../core/index.ts';
import type { VigilConfig } from '../config/schema.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { Redactor } from '../shared/redact.ts';
import { createStoreWrite, type StoreOperation } from '../store/store-write.ts';
import type { Store } from '../store/types.ts';
import { pruneArtifacts } from '../suites/artifacts.ts';
import { runSuite } from '../suites/run-suite.ts';
import { createSharedBrowsers, type SharedBrowsers } from '../suites/shared-browser.ts';
import { scrubKeptArtifacts } from '../suites/scrub-artifacts.ts';
import { resolveBrowser } from '../suites/system-browser.ts';
import type { SuiteEvent, SuiteOutcome } from '../suites/types.ts';
import { tenantEnv, tenantName, publicFields } from '../tenants/index.ts';
import type { Provisioner, TenantEnvironment, TenantFields } from '../tenants/types.ts';
import { decideStatus } from './decide-status.ts';

export type RunProgress =
  | { type: 'phase'; runId: string; phase: RunPhase; detail?: string }
  | { type: 'suite'; runId: string; event: SuiteEvent };

export interface RunRequest {
  suite: string;
  environment: string;
  trigger: Trigger;
  /** Set by a caller that must name the run before it starts (the API answers 202 with it); else a new nanoid. */
  runId?: string;
  /** Aborting interrupts the suite; the tenant is still torn down and the run recorded. */
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

export interface OrchestratorDeps {
  config: VigilConfig;
  store: Store;
  provisioners: ReadonlyMap<string, Provisioner>;
  redact: Redactor;
  /** Variables of Vigil's own config (exporters, tenants, api) that the suite must not inherit. */
  withheldVariables: readonly string[];
  log: Log;
  clock?: () => Date;
  /** Fan-out to exporters; failures there are the exporters' business, never the run's. */
  publish?: (result: RunResult) => Promise<void>;
  /** A store write failed (full or read-only disk): the run went on without it; count it. */
  onStoreFailure?: (operation: StoreOperation) => void;
  /** Shared browsers for suites with browser.shared; made on first use when not given. */
  sharedBrowsers?: SharedBrowsers;
  /** Written on every run: which replica ran it, from where (replicas on one store). */
  stamp?: { replica?: string; location?: string };
}

// Teardown must not depend on the run's (possibly aborted) signal, but must not hang forever either.
const TEARDOWN_GRACE_MS = 60_000;

/** What one attempt works with once the target is known to be runnable. */
interface Target {
  suite: VigilConfig['suites'][string];
  environmentConfig: VigilConfig['environments'][string];
  environment: TenantEnvironment;
  provisioner: Provisioner;
}

type Teardown = () => Promise<void>;

export function createRunOrchestrator(deps: OrchestratorDeps) {
  const { config, store, provisioners, redact, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  let sharedPool = deps.sharedBrowsers;
  const sharedBrowsers = () =>
    (sharedPool ??= createSharedBrowsers({ log, withheldVariables: deps.withheldVariables, maxRuns: config.browser?.restartAfterRuns, maxAgeMs: config.browser?.restartAfter }));

  /** A write the run can go on without (a full or read-only disk must not stop its teardown or delivery). */
  const storeWrite = createStoreWrite({ log, redact, store: store.path, onFailure: deps.onStoreFailure });


  async function run(request: RunRequest): Promise<RunResult> {
    const started = clock();
    const result: RunResult = {
      runId: request.runId ?? nanoid(),
      suite: request.suite,
      environment: request.environment,
      trigger: request.trigger,
      startedAt: started.toISOString(),
      finishedAt: started.toISOString(),
      status: 'error',
      phases: { tenant_setup: 0, test: 0, teardown: 0 },
      tests: emptyCounts(),
      failures: [],
      ...(deps.stamp?.location ? { location: deps.stamp.location } : {}),
      ...(deps.stamp?.replica ? { replica: deps.stamp.replica } : {}),
    };
    try {
      await attempt(request, result);
    } catch (err) {
      // A bug of ours, not the app's: still a complete, recorded runner fault.
      fail(result, 'suite', `internal error: ${messageOf(err)}`);
      log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'the run failed inside Vigil');
    }
    return record(result);
  }

  /** Resolve the target; refuse it as a config error when it cannot run. */
  function resolveTarget(result: RunResult): Target | undefined {
    const problem = targetProblem(config, result.suite, result.environment);
    if (problem) return void fail(result, 'config', problem);
    const suite = config.suites[result.suite];
    const environmentConfig = config.environments[result.environment];
    const provisioner = provisioners.get(environmentConfig.tenants);
    if (!provisioner) return void fail(result, 'config', `environment "${result.environment}" names tenant provisioner "${environmentConfig.tenants}", which is not defined`);
    return { suite, environmentConfig, provisioner, environment: { name: result.environment, baseURL: environmentConfig.baseURL } };
  }

  /** All the sequencing. Fills `result` in place; returns after every registered teardown ran. */
  async function attempt(request: RunRequest, result: RunResult): Promise<void> {
    const { signal } = request;
    const emit = (p: RunProgress) => request.onProgress?.(p);
    const target = resolveTarget(result);
    if (!target) return;
    if (signal?.aborted) return fail(result, 'interrupted', interruption(signal, 'interrupted before the tenant was created'));

    const teardowns: Teardown[] = [];
    try {
      const fields = await setUpTenant(target, result, emit, teardowns, signal);
      if (!fields) return;
      // The names the suite reads the tenant from; a mapped field the tenant lacks is a setup error.
      const provisionerName = target.environmentConfig.tenants;
      let tenantVars: Record<string, string>;
      try {
        tenantVars = tenantEnv(fields, config.tenants[provisionerName].env, `tenants.${provisionerName}.env.map`);
      } catch (err) {
        return fail(result, 'tenant_setup', redact(messageOf(err)));
      }
      await runTests(target, tenantVars, result, emit, signal);
    } finally {
      for (const teardown of teardowns.reverse()) await teardown();
    }
  }

  /** Ledger row, then create; registers the tenant's teardown as soon as it exists. */
  async function setUpTenant(target: Target, result: RunResult, emit: (p: RunProgress) => void, teardowns: Teardown[], signal?: AbortSignal): Promise<TenantFields | undefined> {
    const { provisioner, environment } = target;
    const { runId } = result;
    const name = tenantName(provisioner.prefix, result.suite);
    const tenant: NonNullable<RunResult['tenant']> = { id: '', name, state: 'creating' };
    // Ledger first: if Vigil dies between here and teardown, the reaper still finds this tenant. A ledger
    // that cannot be written means no tenant is made, rather than one nobody could find again.
    const begun = await storeWrite('ledger', runId, `the ledger row of tenant ${name}`, () =>
      store.tenants.begin({ name, provisioner: provisioner.name, suite: result.suite, environment: environment.name, baseURL: environment.baseURL, runId, createdAt: clock().toISOString() }),
    );
    if (!begun) return void fail(result, 'tenant_setup', `no tenant was created: the tenant ledger in the store (${store.path}) cannot be written; see the log`);
    result.tenant = tenant;
    emit({ type: 'phase', runId, phase: 'tenant_setup', detail: name });
    const setupStart = performance.now();
    try {
      const fields = await provisioner.create({ name, environment }, signal);
      tenant.id = fields.id;
      tenant.state = 'active';
      // The teardown first: whatever happens to the ledger now, this tenant is deleted at the end.
      teardowns.push(() => tearDownTenant(target, fields, result, emit));
      await storeWrite('ledger', runId, `tenant ${name} as active`, () => store.tenants.activate(name, publicFields(fields, provisioner)));
      return fields;
    } catch (err) {
      const message = redact(messageOf(err));
      tenant.state = 'create_failed';
      tenant.error = message;
      await storeWrite('ledger', runId, `tenant ${name} as create_failed`, () => store.tenants.finish(name, 'create_failed', message));
      if (signal?.aborted) fail(result, 'interrupted', interruption(signal, `while the tenant was being created: ${message}`));
      else fail(result, 'tenant_setup', message);
      return undefined;
    } finally {
      result.phases.tenant_setup = seconds(performance.now() - setupStart);
    }
  }

  async function tearDownTenant(target: Target, fields: TenantFields, result: RunResult, emit: (p: RunProgress) => void): Promise<void> {
    const tenant = result.tenant!;
    emit({ type: 'phase', runId: result.runId, phase: 'teardown', detail: tenant.name });
    const teardownStart = performance.now();
    try {
      await target.provisioner.destroy({ name: tenant.name, fields, environment: target.environment }, AbortSignal.timeout(TEARDOWN_GRACE_MS));
      tenant.state = 'destroyed';
    } catch (err) {
      // Never hides the test outcome: the tenant stays in the ledger for the reaper.
      const message = redact(messageOf(err));
      tenant.state = 'teardown_failed';
      tenant.error = message;
      log.error({ runId: result.runId, tenant: tenant.name, err: message }, 'tenant teardown failed; left for the reaper');
    } finally {
      const state = tenant.state === 'destroyed' ? 'destroyed' : 'teardown_failed';
      await storeWrite('ledger', result.runId, `tenant ${tenant.name} as ${state}`, () => store.tenants.finish(tenant.name, state, tenant.error));
      result.phases.teardown = seconds(performance.now() - teardownStart);
    }
  }

  async function runTests(target: Target, tenantVars: Record<string, string>, result: RunResult, emit: (p: RunProgress) => void, signal?: AbortSignal): Promise<void> {
    const { suite, environmentConfig, environment } = target;
    const { runId } = result;
    emit({ type: 'phase', runId, phase: 'test' });
    const testStart = performance.now();
    const outputDir = path.join(config.artifacts.dir, runId);
    const { browser, fellBack } = resolveBrowser({ ...config.browser, ...suite.browser });
    if (fellBack) log.debug({ executablePath: browser.executablePath, headless: browser.headlessExecutablePath }, "Playwright's own Chromium is not installed: using the system Chromium");
    const shared = suite.browser?.shared ?? config.browser?.shared;
    let outcome: SuiteOutcome;
    try {
      outcome = await runSuite({
        suiteDir: suite.path,
        configFile: suite.config,
        baseURL: environment.baseURL,
        env: {
          ...environmentConfig.env,
          ...suite.env,
          ...tenantVars,
          // Many suites read their base URL from the environment in their own config or helpers.
          BASE_URL: environment.baseURL,
          VIGIL_BASE_URL: environment.baseURL,
          VIGIL_RUN_ID: runId,
          VIGIL_SUITE: result.suite,
          VIGIL_ENVIRONMENT: result.environment,
          // Where the run comes from (a replica's --location), for a suite that tests per region.
          ...(deps.stamp?.location ? { VIGIL_LOCATION: deps.stamp.location } : {}),
        },
        outputDir,
        timeoutMs: suite.timeout,
        retries: suite.retries,
        grep: perEnvironment(suite.grep, result.environment),
        grepInvert: perEnvironment(suite.grepInvert, result.environment),
        files: filesFor(suite.files, result.environment),
        use: useFor(suite, environmentConfig, runId),
        projects: suite.projects,
        workers: suite.workers,
        keepReporters: suite.keepReporters,
        browser,
        ...(shared ? { sharedBrowser: { pool: sharedBrowsers(), always: shared === 'always' } } : {}),
        withheldVariables: deps.withheldVariables,
        signal,
        log,
        onEvent: (event) => emit({ type: 'suite', runId, event: redact.value(event) }),
      });
    } catch (err) {
      outcome = { kind: 'crashed', message: messageOf(err), tests: emptyCounts(), failures: [], durationSec: 0, playwrightVersion: '' };
    } finally {
      result.phases.test = seconds(performance.now() - testStart);
    }
    Object.assign(result, decideStatus(outcome));
    // Say who interrupted and why (a shutdown, an operator), not only that the suite was killed.
    if (result.errorPhase === 'interrupted' && signal) result.errorMessage = interruption(signal, result.errorMessage ?? '');
    if (result.status !== 'passed') {
      result.artifactsDir = outputDir;
      // Once recorded, the kept files can be downloaded: no tenant password or config secret may stay in them.
      await scrubKeptArtifacts({ dir: outputDir, redact, log, runId });
    }
    // A passing run kept nothing: its empty folder must not take a place in the retention count.
    else rmSync(outputDir, { recursive: true, force: true });
  }

  /** The one exit: stamp, prune old artifacts, save, publish. Runs once per run, after every teardown. */
  async function record(result: RunResult): Promise<RunResult> {
    result.finishedAt = clock().toISOString();
    try {
      const { dir, keep, maxAge } = config.artifacts;
      const removed = pruneArtifacts({ dir, keep, maxAgeMs: maxAge, now: clock() });
      if (removed.length) log.debug({ removed: removed.length }, 'artifact retention: removed old run folders');
    } catch (err) {
      log.warn({ err: redact(messageOf(err)) }, 'artifact retention failed; old artifacts stay until the next run');
    }
    const clean = redact.value(result);
    // Still published when it cannot be stored: Nagios and Prometheus hear of it, the log has it.
    // Saved as not yet handed to the exporters, in the run's own transaction: a process killed before
    // the fan-out took it leaves a mark the next spool pass publishes from (store.runs.notHandedOver).
    const saved = await storeWrite('run', clean.runId, `run ${clean.runId} (${clean.suite}@${clean.environment} ${clean.status}); it is still published`, () =>
      store.runs.save(clean, { handedOver: !deps.publish }),
    );
    log.info({ runId: clean.runId, suite: clean.suite, environment: clean.environment, status: clean.status, errorPhase: clean.errorPhase }, 'run finished');
    if (deps.publish) {
      try {
        await deps.publish(clean);
      } catch (err) {
        log.error({ runId: clean.runId, err: redact(messageOf(err)) }, 'publishing the result failed');
      }
      // Delivered or spooled: from here the spool carries it.
      if (saved) await storeWrite('run', clean.runId, `run ${clean.runId} as handed to the exporters`, () => store.runs.handedOver(clean.runId));
    }
    return clean;
  }

  /** Stops the shared browsers (a process that exits stops them anyway: they watch their stdin). */
  const close = async () => sharedPool?.close();

  return { run, close };
}

export type RunOrchestrator = ReturnType<typeof createRunOrchestrator>;

function fail(result: RunResult, errorPhase: ErrorPhase, message: string): void {
  result.status = 'error';
  result.errorPhase = errorPhase;
  result.errorMessage = message;
}

/** Prefixes who interrupted and why (the abort reason: a shutdown, an operator) when there is one. */
function interruption(signal: AbortSignal, message: string): string {
  return signal.reason instanceof Error ? `${signal.reason.message}: ${message}` : message;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

function perEnvironment(value: string | Record<string, string> | undefined, environment: string) {
  return typeof value === 'string' ? value : value?.[environment];
}

/** Playwright's positional filters for this environment: one list for all, or per environment. */
function filesFor(files: VigilConfig['suites'][string]['files'], environment: string): string[] | undefined {
  if (files === undefined) return undefined;
  const chosen = typeof files === 'string' || Array.isArray(files) ? files : files[environment];
  return chosen === undefined ? undefined : typeof chosen === 'string' ? [chosen] : chosen;
}

/**
 * The `use` options Vigil applies over the suite's own: the suite's, then the environment's over them
 * (extraHTTPHeaders merged), then the synthetic-traffic header when the suite or environment asks for one.
 */
function useFor(suite: VigilConfig['suites'][string], environment: VigilConfig['environments'][string], runId: string): Record<string, unknown> | undefined {
  const headers = { ...headersOf(suite.use), ...headersOf(environment.use) };
  const marker = environment.syntheticHeader ?? suite.syntheticHeader;
  if (marker) headers[marker === true ? 'X-Vigil-Run' : marker] = runId;
  const use: Record<string, unknown> = { ...suite.use, ...environment.use };
  if (Object.keys(headers).length) use.extraHTTPHeaders = headers;
  return Object.keys(use).length ? use : undefined;
}

const headersOf = (use: Record<string, unknown> | undefined): Record<string, string> =>
  use?.extraHTTPHeaders && typeof use.extraHTTPHeaders === 'object' ? (use.extraHTTPHeaders as Record<string, string>) : {};
