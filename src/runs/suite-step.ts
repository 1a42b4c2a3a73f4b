// The test step of a run: the app's own Playwright suite against the tenant, with the environment it
// reads the tenant and the target from, the filters and `use` options for this environment, and the
// browser (Playwright's, the system's, or a shared one). What it leaves behind is settled here too: a
// failed run's artifacts are kept and scrubbed of secrets, a passing run's empty folder goes.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { emptyCounts, type RunResult } from '../core/index.ts';
import type { VigilConfig } from '../config/schema.ts';
import { messageOf } from '../shared/errors.ts';
import { runSuite } from '../suites/run-suite.ts';
import { scrubKeptArtifacts } from '../suites/scrub-artifacts.ts';
import { resolveBrowser } from '../suites/system-browser.ts';
import type { SuiteOutcome } from '../suites/types.ts';
import { decideStatus } from './decide-status.ts';
import { interruption, seconds, type Emit, type RunContext, type Target } from './run-context.ts';

/** Runs the suite against the tenant and decides the run's status from what it did. */
export async function runTests(
  ctx: RunContext,
  target: Target,
  tenantVars: Record<string, string>,
  result: RunResult,
  emit: Emit,
  signal?: AbortSignal,
): Promise<void> {
  const { config, deps, redact, log } = ctx;
  const { suite, environmentConfig, environment } = target;
  const { runId } = result;
  emit({ type: 'phase', runId, phase: 'test' });
  const testStart = performance.now();
  const outputDir = path.join(config.artifacts.dir, runId);
  const { browser, fellBack } = resolveBrowser({ ...config.browser, ...suite.browser });
  if (fellBack)
    log.debug(
      { executablePath: browser.executablePath, headless: browser.headlessExecutablePath },
      "Playwright's own Chromium is not installed: using the system Chromium",
    );
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
      ...(shared ? { sharedBrowser: { pool: ctx.sharedBrowsers(), always: shared === 'always' } } : {}),
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
