// One run of the suite's own Playwright: prepare (its Playwright, the wrapper config, arguments, the
// child's environment), run the process (playwright-process.ts), read the reporter's events
// (reporter-events.ts), and decide what happened (classify-exit.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyCounts } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import { createRedactor, SECRET_NAME } from '../shared/redact.ts';
import { buildChildEnv } from './child-env.ts';
import { classifyExit } from './classify-exit.ts';
import { findConfig } from './find-config.ts';
import { runPlaywrightProcess } from './playwright-process.ts';
import { createReporterEventReader } from './reporter-events.ts';
import { resolvePlaywright } from './resolve-playwright.ts';
import { resolvePlaywrightCore, type BrowserLease } from './shared-browser.ts';
import type { RunSuiteOptions, SuiteOutcome } from './types.ts';
import { writeWrapper } from './write-wrapper.ts';

const WORK_DIR_PREFIX = 'vigil-run-';

/**
 * Runs the suite's own Playwright, unmodified, against `baseURL`. Throws SuiteError only when the
 * suite cannot be started at all (no Playwright, no config); everything that happens once it runs
 * is an outcome.
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteOutcome> {
  const started = Date.now();
  const suiteDir = path.resolve(options.suiteDir);
  const playwright = resolvePlaywright(suiteDir);
  const configFile = findConfig(suiteDir, options.configFile);
  const { log } = options;
  // A test may print a tenant password; Playwright's output reaches the log only through this.
  const redact = options.redact ?? redactorFor(options.env);
  const durationSec = () => (Date.now() - started) / 1000;
  const base = { tests: emptyCounts(), failures: [], playwrightVersion: playwright.version };
  if (options.signal?.aborted) {
    return { ...base, kind: 'interrupted', message: 'aborted before the suite started', durationSec: 0 };
  }

  mkdirSync(options.outputDir, { recursive: true });
  sweepStaleWorkDirs();
  // The owner's pid is in the name: no moment where another process's sweep sees the folder without
  // its owner (an owner.pid file is created empty, then written — two replicas on one host raced there).
  const workDir = mkdtempSync(path.join(tmpdir(), `${WORK_DIR_PREFIX}${process.pid}-`));
  const eventsFile = path.join(workDir, 'events.jsonl');
  const lease = options.sharedBrowser ? await leaseSharedBrowser(options, playwright.cliPath) : undefined;
  const wrapper = writeWrapper(workDir, {
    configFile,
    baseURL: options.baseURL,
    outputDir: path.resolve(options.outputDir),
    keepReporters: options.keepReporters ?? false,
    browser: options.browser,
    ...(lease ? { connect: { wsEndpoint: lease.wsEndpoint, always: options.sharedBrowser!.always } } : {}),
    retries: options.retries,
    use: options.use,
  });
  const marker = randomBytes(12).toString('hex');
  const args = [playwright.cliPath, ...playwrightTestArgs(wrapper, options)];

  const env = childEnvFor(options, { marker, eventsFile, suiteDir, workDir });

  log.debug({ suiteDir, configFile, playwright: playwright.version, args: args.slice(1) }, 'starting playwright');
  const reader = createReporterEventReader({ log, onEvent: options.onEvent });
  const ended = await runPlaywrightProcess({
    args,
    cwd: suiteDir,
    env,
    marker,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    log,
    redact,
    onEvents: (chunk) => reader.write(chunk),
  });
  reader.end();
  const shared = lease?.end();
  if (existsSync(eventsFile)) reader.readFallback(readFileSync(eventsFile, 'utf8'));
  rmSync(workDir, { recursive: true, force: true });

  const tests = reader.counts();
  const failures = reader.failures();
  const { kind, message } = judge(classifyExit({ ...ended, timeoutMs: options.timeoutMs, runErrors: reader.runErrors(), ended: reader.ended, tests }), shared);
  if (kind === 'crashed') log.warn({ suiteDir, exit: ended.exit }, 'suite crashed');
  if (kind === 'completed' && failures.length === 0) emptyDir(options.outputDir); // artifacts are kept for failures only
  const testResults = reader.results();
  return {
    kind,
    ...(message ? { message } : {}),
    tests,
    failures,
    ...(testResults.length ? { testResults } : {}),
    durationSec: durationSec(),
    playwrightVersion: playwright.version,
  };
}

/** Without the caller's redactor: the values of the suite's variables named like secrets. */
function redactorFor(env: Record<string, string>) {
  return createRedactor(
    Object.entries(env)
      .filter(([k]) => SECRET_NAME.test(k))
      .map(([, v]) => v),
  );
}

/** The child's environment: Vigil's own variables for the wrapper and reporter, the suite's, none withheld. */
function childEnvFor(options: RunSuiteOptions, at: { marker: string; eventsFile: string; suiteDir: string; workDir: string }) {
  return buildChildEnv(
    process.env,
    {
      VIGIL_RUN_MARKER: at.marker,
      VIGIL_PARENT_PID: String(process.pid),
      VIGIL_EVENTS_FD: '3',
      VIGIL_EVENTS_FILE: at.eventsFile,
      VIGIL_SUITE_DIR: at.suiteDir,
      VIGIL_WORK_DIR: at.workDir,
    },
    options.env,
    options.withheldVariables,
  );
}

/** Tests that failed because the shared browser died under them say nothing about the app: a crash. */
function judge(exit: ReturnType<typeof classifyExit>, shared: { crashed: boolean; message?: string } | undefined): ReturnType<typeof classifyExit> {
  if (shared?.crashed && (exit.kind === 'completed' || exit.kind === 'crashed')) {
    return { kind: 'crashed', message: `${shared.message}; the tests that ran on it cannot be trusted (the next run starts a fresh browser)` };
  }
  return exit;
}

/** A shared browser for this run; when none can be started, the run launches its own and the log says why. */
async function leaseSharedBrowser(options: RunSuiteOptions, cliPath: string): Promise<BrowserLease | undefined> {
  const b = options.browser ?? {};
  try {
    const coreDir = resolvePlaywrightCore(cliPath);
    return await options.sharedBrowser!.pool.lease({ coreDir, executablePath: b.headlessExecutablePath ?? b.executablePath, args: b.args ?? [] });
  } catch (err) {
    options.log.warn({ suiteDir: options.suiteDir, err: messageOf(err) }, 'no shared browser: this run launches its own');
    return undefined;
  }
}

function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
}

// A Vigil killed with SIGKILL cannot remove its run's wrapper folder; the next run does, once the
// owner recorded in it is gone.
/**
 * `playwright test`'s arguments, in one place. Positional filters come first, as upstream CI passes
 * them (`playwright test tests/e2e/specs`): after a variadic option such as `--project a` the CLI
 * would read them as more project names ("Project(s) "tests/…" not found"); `--project=NAME` takes one
 * value each for the same reason. Playwright matches a filter against the test file's absolute path,
 * so a leading ./ (which no absolute path contains) is dropped; no `--` before them (Playwright's CLI
 * then ignores them; the config refuses a filter starting with -). CLI grep filters apply on top of
 * the config's own grep/grepInvert: theirs are never dropped.
 */
export function playwrightTestArgs(wrapper: string, o: Pick<RunSuiteOptions, 'files' | 'projects' | 'grep' | 'grepInvert' | 'workers' | 'retries'>): string[] {
  const args = ['test', ...(o.files ?? []).map((file) => file.replace(/^\.\//, '')), '-c', wrapper];
  if (o.retries !== undefined) args.push('--retries', String(o.retries));
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  if (o.grep) args.push('--grep', o.grep);
  if (o.grepInvert) args.push('--grep-invert', o.grepInvert);
  for (const project of o.projects ?? []) args.push(`--project=${project}`);
  return args;
}

export function sweepStaleWorkDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(WORK_DIR_PREFIX)) continue;
    const owner = Number(/^(\d+)-/.exec(name.slice(WORK_DIR_PREFIX.length))?.[1]);
    if (!owner || isAlive(owner)) continue; // not one of ours (no pid in the name), or its owner is running
    try {
      rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another process removes it at the same moment
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
