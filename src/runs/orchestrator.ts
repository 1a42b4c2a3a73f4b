// One monitored run: ledger row → create tenant → the app's own suite → destroy tenant → RunResult.
// Setup and teardown happen in strict order even on interruption (the shape of Playwright's own
// taskRunner): whatever was set up is torn down, and the result is recorded before anything else.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { nanoid } from 'nanoid';
import type { VigilConfig } from '../config/schema.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { Redactor } from '../shared/redact.ts';
import type { Store } from '../store/types.ts';
import { pruneArtifacts } from '../suites/artifacts.ts';
import { runSuite } from '../suites/run-suite.ts';
import { resolveBrowser } from '../suites/system-browser.ts';
import type { SuiteEvent, SuiteOutcome } from '../suites/types.ts';
import { tenantEnv, tenantName, publicFields } from '../tenants/index.ts';
import type { Provisioner, TenantEnvironment, TenantFields } from '../tenants/types.ts';
import { decideStatus } from './decide-status.ts';
import { emptyCounts, type RunResult, type TenantState, type Trigger } from './run-result.ts';

export type RunProgress =
  | { type: 'phase'; runId: string; phase: 'tenant_setup' | 'test' | 'teardown'; detail?: string }
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
  log: Log;
  clock?: () => Date;
  /** Fan-out to exporters; failures there are the exporters' business, never the run's. */
  publish?: (result: RunResult) => Promise<void>;
}

// Teardown must not depend on the run's (possibly aborted) signal, but must not hang forever either.
const TEARDOWN_GRACE_MS = 60_000;

export function createRunOrchestrator(deps: OrchestratorDeps) {
  const { config, store, provisioners, redact, log } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function run(request: RunRequest): Promise<RunResult> {
    const { suite: suiteName, environment: envName, trigger, signal } = request;
    const emit = (p: RunProgress) => request.onProgress?.(p);
    const runId = request.runId ?? nanoid();
    const started = clock();
    const suite = config.suites[suiteName];
    const environmentConfig = config.environments[envName];
    const result: RunResult = {
      runId,
      suite: suiteName,
      environment: envName,
      trigger,
      startedAt: started.toISOString(),
      finishedAt: started.toISOString(),
      status: 'error',
      phases: { tenant_setup: 0, test: 0, teardown: 0 },
      tests: emptyCounts(),
      failures: [],
    };
    const fail = (errorPhase: NonNullable<RunResult['errorPhase']>, message: string) => {
      result.status = 'error';
      result.errorPhase = errorPhase;
      result.errorMessage = message;
    };

    const provisioner = environmentConfig && provisioners.get(environmentConfig.tenants);
    if (!suite) fail('config', `unknown suite "${suiteName}" (known: ${Object.keys(config.suites).join(', ')})`);
    else if (!environmentConfig) fail('config', `unknown environment "${envName}" (known: ${Object.keys(config.environments).join(', ')})`);
    else if (!suite.environments.includes(envName)) fail('config', `suite "${suiteName}" does not run on environment "${envName}" (it runs on: ${suite.environments.join(', ')})`);
    else if (!provisioner) fail('config', `environment "${envName}" names tenant provisioner "${environmentConfig.tenants}", which is not defined`);
    if (!suite || !environmentConfig || !provisioner || result.errorPhase) return finish(result);

    const environment: TenantEnvironment = { name: envName, baseURL: environmentConfig.baseURL };
    const name = tenantName(provisioner.prefix, suiteName);
    let fields: TenantFields | undefined;
    let tenantState: TenantState = 'creating';

    // Ledger first: if Vigil dies between here and teardown, the reaper still finds this tenant.
    store.tenants.begin({ name, provisioner: provisioner.name, suite: suiteName, environment: envName, baseURL: environment.baseURL, runId, createdAt: started.toISOString() });
    try {
      emit({ type: 'phase', runId, phase: 'tenant_setup', detail: name });
      const setupStart = performance.now();
      try {
        if (signal?.aborted) throw new Error('interrupted before the tenant was created');
        fields = await provisioner.create({ name, environment }, signal);
        tenantState = 'active';
        store.tenants.activate(name, publicFields(fields, provisioner));
      } catch (err) {
        tenantState = 'create_failed';
        const message = redact(messageOf(err));
        store.tenants.finish(name, 'create_failed', message);
        fail(signal?.aborted ? 'interrupted' : 'tenant_setup', `tenant setup failed: ${message}`);
        return finish(result);
      } finally {
        result.phases.tenant_setup = seconds(performance.now() - setupStart);
      }

      emit({ type: 'phase', runId, phase: 'test' });
      const testStart = performance.now();
      const outputDir = path.join(config.artifacts.dir, runId);
      let outcome: SuiteOutcome;
      const { browser, fellBack } = resolveBrowser({ ...config.browser, ...suite.browser });
      if (fellBack) log.debug({ executablePath: browser.executablePath }, "Playwright's own Chromium is not installed: using the system Chromium");
      try {
        outcome = await runSuite({
          suiteDir: suite.path,
          configFile: suite.config,
          baseURL: environment.baseURL,
          env: {
            ...environmentConfig.env,
            ...suite.env,
            ...tenantEnv(fields, config.tenants[environmentConfig.tenants].env),
            // Many suites read their base URL from the environment in their own config or helpers.
            BASE_URL: environment.baseURL,
            VIGIL_BASE_URL: environment.baseURL,
            VIGIL_RUN_ID: runId,
            VIGIL_SUITE: suiteName,
            VIGIL_ENVIRONMENT: envName,
          },
          outputDir,
          timeoutMs: suite.timeout,
          retries: suite.retries,
          grep: perEnvironment(suite.grep, envName),
          grepInvert: perEnvironment(suite.grepInvert, envName),
          projects: suite.projects,
          workers: suite.workers,
          keepReporters: suite.keepReporters,
          browser,
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
      if (result.errorPhase === 'interrupted' && signal?.reason instanceof Error) {
        result.errorMessage = `${signal.reason.message}: ${result.errorMessage}`;
      }
      if (result.status !== 'passed') result.artifactsDir = outputDir;
      // A passing run kept nothing: its empty folder must not take a place in the retention count.
      else rmSync(outputDir, { recursive: true, force: true });
    } finally {
      if (fields) {
        emit({ type: 'phase', runId, phase: 'teardown', detail: name });
        const teardownStart = performance.now();
        try {
          await provisioner.destroy({ name, fields, environment }, AbortSignal.timeout(TEARDOWN_GRACE_MS));
          tenantState = 'destroyed';
          store.tenants.finish(name, 'destroyed');
        } catch (err) {
          // Never hides the test outcome: the tenant stays in the ledger for the reaper.
          tenantState = 'teardown_failed';
          const message = redact(messageOf(err));
          store.tenants.finish(name, 'teardown_failed', message);
          result.tenant = { id: fields.id, name, state: tenantState, error: message };
          log.error({ runId, tenant: name, err: message }, 'tenant teardown failed; left for the reaper');
        } finally {
          result.phases.teardown = seconds(performance.now() - teardownStart);
        }
      }
      result.tenant ??= { id: fields?.id ?? '', name, state: tenantState };
    }
    return finish(result);
  }

  async function finish(result: RunResult): Promise<RunResult> {
    result.finishedAt = clock().toISOString();
    try {
      const { dir, keep, maxAge } = config.artifacts;
      const removed = pruneArtifacts({ dir, keep, maxAgeMs: maxAge, now: clock() });
      if (removed.length) log.debug({ removed: removed.length }, 'artifact retention: removed old run folders');
    } catch (err) {
      log.warn({ err: redact(messageOf(err)) }, 'artifact retention failed; old artifacts stay until the next run');
    }
    const clean = redact.value(result);
    store.runs.save(clean);
    log.info({ runId: clean.runId, suite: clean.suite, environment: clean.environment, status: clean.status, errorPhase: clean.errorPhase }, 'run finished');
    if (deps.publish) {
      try {
        await deps.publish(clean);
      } catch (err) {
        log.error({ runId: clean.runId, err: redact(messageOf(err)) }, 'publishing the result failed');
      }
    }
    return clean;
  }

  return { run };
}

export type RunOrchestrator = ReturnType<typeof createRunOrchestrator>;

const seconds = (ms: number) => Math.round(ms) / 1000;

function perEnvironment(value: string | Record<string, string> | undefined, environment: string) {
  return typeof value === 'string' ? value : value?.[environment];
}
