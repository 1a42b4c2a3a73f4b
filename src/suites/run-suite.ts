import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyCounts } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import { createRedactor, SECRET_NAME } from '../shared/redact.ts';
import { buildChildEnv } from './child-env.ts';
import { findConfig } from './find-config.ts';
import { createLineTail } from './output-tail.ts';
import { findMarkedProcesses, killRun } from './process-tree.ts';
import { resolvePlaywright } from './resolve-playwright.ts';
import { createTally, type AttemptEvent } from './tally.ts';
import type { RunSuiteOptions, SuiteOutcome } from './types.ts';
import { writeWrapper } from './write-wrapper.ts';

const STDERR_TAIL_LINES = 20;
const KILL_GRACE_MS = 5000;
const WORK_DIR_PREFIX = 'vigil-run-';

type ReporterEvent =
  | { type: 'begin'; total: number }
  | ({ type: 'test' } & AttemptEvent)
  | { type: 'error'; message?: string }
  | { type: 'end'; status: 'passed' | 'failed' | 'timedout' | 'interrupted'; notRun?: number };

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
  const redact = options.redact ?? createRedactor(Object.entries(options.env).filter(([k]) => SECRET_NAME.test(k)).map(([, v]) => v));
  const durationSec = () => (Date.now() - started) / 1000;
  const base = { tests: emptyCounts(), failures: [], playwrightVersion: playwright.version };
  if (options.signal?.aborted) {
    return { ...base, kind: 'interrupted', message: 'aborted before the suite started', durationSec: 0 };
  }

  mkdirSync(options.outputDir, { recursive: true });
  sweepStaleWorkDirs();
  const workDir = mkdtempSync(path.join(tmpdir(), WORK_DIR_PREFIX));
  writeFileSync(path.join(workDir, 'owner.pid'), String(process.pid));
  const eventsFile = path.join(workDir, 'events.jsonl');
  const wrapper = writeWrapper(workDir, {
    configFile,
    baseURL: options.baseURL,
    outputDir: path.resolve(options.outputDir),
    keepReporters: options.keepReporters ?? false,
    browser: options.browser,
    retries: options.retries,
  });
  const marker = randomBytes(12).toString('hex');
  const args = [playwright.cliPath, 'test', '-c', wrapper];
  if (options.retries !== undefined) args.push('--retries', String(options.retries));
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  // CLI grep filters apply on top of the config's own grep/grepInvert: theirs are never dropped.
  if (options.grep) args.push('--grep', options.grep);
  if (options.grepInvert) args.push('--grep-invert', options.grepInvert);
  for (const project of options.projects ?? []) args.push('--project', project);

  const env = buildChildEnv(process.env, {
    VIGIL_RUN_MARKER: marker,
    VIGIL_PARENT_PID: String(process.pid),
    VIGIL_EVENTS_FD: '3',
    VIGIL_EVENTS_FILE: eventsFile,
    VIGIL_SUITE_DIR: suiteDir,
    VIGIL_WORK_DIR: workDir,
  }, options.env, options.withheldVariables);

  log.debug({ suiteDir, configFile, playwright: playwright.version, args: args.slice(1) }, 'starting playwright');
  const child = spawn(process.execPath, args, {
    cwd: suiteDir,
    env,
    detached: true, // own process group: the whole run can be signalled at once
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });

  const tally = createTally();
  const runErrors: string[] = [];
  let ended: ReporterEvent & { type: 'end' } | undefined;
  let begun = false;
  const handle = (event: ReporterEvent) => {
    if (event.type === 'begin') {
      begun = true;
      options.onEvent?.({ type: 'begin', total: event.total });
    } else if (event.type === 'test') {
      tally.add(event);
      const { title, file, line, outcome, retry, durationMs, error } = event;
      options.onEvent?.({ type: 'test', title, file, line, outcome, retry, durationMs, ...(error ? { error } : {}) });
    } else if (event.type === 'error') {
      runErrors.push(event.message ?? 'unknown error');
    } else if (event.type === 'end') {
      ended = event;
      tally.addNotRun(event.notRun ?? 0);
    }
  };
  const parseLines = (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        handle(JSON.parse(line) as ReporterEvent);
      } catch (err) {
        log.debug({ line, err: messageOf(err) }, 'unreadable reporter line');
      }
    }
  };
  let eventBuffer = '';
  const events = child.stdio[3] as Readable;
  events.setEncoding('utf8');
  events.on('data', (chunk: string) => {
    const lines = (eventBuffer + chunk).split('\n');
    eventBuffer = lines.pop() ?? '';
    parseLines(lines.join('\n'));
  });

  // Playwright's own output never reaches our stdout: debug log and a bounded tail for diagnostics.
  const output = createLineTail(200, (line) => log.debug({ line: redact(line) }, 'playwright'));
  const stderr = createLineTail(200);
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.write(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output.write(c);
    stderr.write(c);
  });

  let stopReason: 'timeout' | 'interrupted' | undefined;
  let killing: Promise<void> | undefined;
  const stop = (reason: 'timeout' | 'interrupted') => {
    if (stopReason || child.pid === undefined) return;
    stopReason = reason;
    log.info({ suiteDir, reason }, 'stopping playwright');
    killing = killRun(child.pid, marker, KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('interrupted');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  await killing;
  // The main process is gone; a browser or worker it left behind must not outlive the run.
  if (child.pid !== undefined && findMarkedProcesses(marker).length > 0) await killRun(child.pid, marker, 1000);
  await waitForStreams([child.stdout!, child.stderr!, events], 2000);
  parseLines(eventBuffer);
  output.end();
  stderr.end();
  if (!begun && !ended && existsSync(eventsFile)) parseLines(readFileSync(eventsFile, 'utf8'));
  rmSync(workDir, { recursive: true, force: true });

  const tests = tally.counts();
  const failures = tally.failures();
  const outcome = (kind: SuiteOutcome['kind'], message?: string): SuiteOutcome => ({
    kind,
    ...(message ? { message } : {}),
    tests,
    failures,
    durationSec: durationSec(),
    playwrightVersion: playwright.version,
  });
  // Stack frames crowd out the one line that says what went wrong; the tail keeps the messages.
  const tail = () => {
    const source = stderr.lines().length ? stderr.lines() : output.lines();
    const lines = source.filter((l) => !/^\s+at /.test(l)).slice(-STDERR_TAIL_LINES);
    return lines.length ? `\n${lines.join('\n')}` : '';
  };

  if (stopReason === 'timeout') return outcome('timeout', `suite did not finish within ${options.timeoutMs} ms; its processes were killed`);
  if (stopReason === 'interrupted') return outcome('interrupted', 'run aborted; the suite\'s processes were killed');
  if (exit.spawnError) return outcome('crashed', `could not start Playwright: ${exit.spawnError.message}`);

  const exitText = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const noTestsMessage = 'no tests matched: Playwright found no test to run (check grep, grepInvert, projects and testDir)';
  let crash: string | undefined;
  if (runErrors.length > 0 && runErrors.every((e) => /no tests found/i.test(e))) crash = noTestsMessage;
  else if (runErrors.length > 0) crash = `Playwright reported errors outside tests:\n${runErrors.join('\n')}`;
  else if (ended && tests.total === 0) crash = noTestsMessage;
  else if (!ended) crash = `Playwright exited (${exitText}) before finishing the run${tail()}`;
  else if (exit.code !== 0 && exit.code !== 1) crash = `Playwright exited with ${exitText}${tail()}`;
  else if (ended.status === 'timedout') crash = 'the suite\'s own globalTimeout was reached before all tests ran';
  else if (ended.status === 'interrupted') crash = `Playwright was interrupted (${exitText})${tail()}`;
  if (crash) {
    log.warn({ suiteDir, exit: exitText }, 'suite crashed');
    return outcome('crashed', crash);
  }

  if (failures.length === 0) emptyDir(options.outputDir); // artifacts are kept for failures only
  return outcome('completed');
}

function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
}

async function waitForStreams(streams: Readable[], maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && streams.some((s) => !s.readableEnded && !s.destroyed)) await sleep(20);
  for (const s of streams) s.destroy();
}

// A Vigil killed with SIGKILL cannot remove its run's wrapper folder; the next run does, once the
// owner recorded in it is gone.
function sweepStaleWorkDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(WORK_DIR_PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
      if (owner && isAlive(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or being written right now
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
