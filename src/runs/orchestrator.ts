// One monitored run: ledger row → create tenant → the app's own suite → destroy tenant → RunResult.
// The shape of Playwright's task runner: `attempt` holds all the sequencing — each setup registers its
// teardown as it starts, teardowns run in reverse order whatever happened — and returns only when every
// teardown has run. Then `record` (the one exit) stamps, saves and publishes the complete result.
// The steps have their files: the tenant's set-up and teardown (tenant-steps.ts), the suite
// (suite-step.ts), the exit (record-run.ts), over what they share (run-context.ts).
import { nanoid } from 'nanoid';
import { emptyCounts, targetProblem, type RunResult, type Trigger } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import { createStoreWrite } from '../store/store-write.ts';
import { createSharedBrowsers } from '../suites/shared-browser.ts';
import { tenantEnv } from '../tenants/index.ts';
import { checkErrors } from './error-checks.ts';
import { record } from './record-run.ts';
import { fail, interruption, type OrchestratorDeps, type RunContext, type RunProgress, type Target, type Teardown } from './run-context.ts';
import { runTests } from './suite-step.ts';
import { setUpTenant } from './tenant-steps.ts';

export type { OrchestratorDeps, RunProgress } from './run-context.ts';

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

export function createRunOrchestrator(deps: OrchestratorDeps) {
  const { config, store, provisioners, redact, log } = deps;
  let sharedPool = deps.sharedBrowsers;
  const ctx: RunContext = {
    deps,
    config,
    store,
    provisioners,
    redact,
    log,
    clock: deps.clock ?? (() => new Date()),
    storeWrite: createStoreWrite({ log, redact, store: store.path, onFailure: deps.onStoreFailure }),
    sharedBrowsers: () =>
      (sharedPool ??= createSharedBrowsers({
        log,
        withheldVariables: deps.withheldVariables,
        maxRuns: config.browser?.restartAfterRuns,
        maxAgeMs: config.browser?.restartAfter,
      })),
  };

  async function run(request: RunRequest): Promise<RunResult> {
    const started = ctx.clock();
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
      const suiteEndedMs = await attempt(ctx, request, result);
      // After the teardown: the tenant is not kept for it, and the wait for a scrape runs during the teardown.
      if (suiteEndedMs !== undefined) await checkErrors(ctx, result, suiteEndedMs, request.signal);
    } catch (err) {
      // A bug of ours, not the app's: still a complete, recorded runner fault.
      fail(result, 'suite', `internal error: ${messageOf(err)}`);
      log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'the run failed inside Vigil');
    }
    return record(ctx, result);
  }

  /** Stops the shared browsers (a process that exits stops them anyway: they watch their stdin). */
  const close = async () => sharedPool?.close();

  return { run, close };
}

export type RunOrchestrator = ReturnType<typeof createRunOrchestrator>;

/** Resolve the target; refuse it as a config error when it cannot run. */
function resolveTarget(ctx: RunContext, result: RunResult): Target | undefined {
  const { config, provisioners } = ctx;
  const problem = targetProblem(config, result.suite, result.environment);
  if (problem) return void fail(result, 'config', problem);
  const suite = config.suites[result.suite];
  const environmentConfig = config.environments[result.environment];
  const provisioner = provisioners.get(environmentConfig.tenants);
  if (!provisioner)
    return void fail(result, 'config', `environment "${result.environment}" names tenant provisioner "${environmentConfig.tenants}", which is not defined`);
  return { suite, environmentConfig, provisioner, environment: { name: result.environment, baseURL: environmentConfig.baseURL } };
}

/**
 * All the sequencing. Fills `result` in place; returns after every registered teardown ran, with when
 * the suite ended (epoch ms) if it ran.
 */
async function attempt(ctx: RunContext, request: RunRequest, result: RunResult): Promise<number | undefined> {
  const { config, redact } = ctx;
  const { signal } = request;
  const emit = (p: RunProgress) => request.onProgress?.(p);
  const target = resolveTarget(ctx, result);
  if (!target) return;
  if (signal?.aborted) return void fail(result, 'interrupted', interruption(signal, 'interrupted before the tenant was created'));

  const teardowns: Teardown[] = [];
  try {
    const fields = await setUpTenant(ctx, target, result, emit, teardowns, signal);
    if (!fields) return undefined;
    // The names the suite reads the tenant from; a mapped field the tenant lacks is a setup error.
    const provisionerName = target.environmentConfig.tenants;
    let tenantVars: Record<string, string>;
    try {
      tenantVars = tenantEnv(fields, config.tenants[provisionerName].env, `tenants.${provisionerName}.env.map`);
    } catch (err) {
      return void fail(result, 'tenant_setup', redact(messageOf(err)));
    }
    await runTests(ctx, target, tenantVars, result, emit, signal);
    return ctx.clock().getTime();
  } finally {
    for (const teardown of teardowns.reverse()) await teardown();
  }
}
