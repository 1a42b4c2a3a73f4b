// The server process behind one shared browser (wrapper/browser-server.cjs, started with the suite's
// own playwright-core): spawned detached from Vigil's lifetime, ready when it prints its endpoint as
// one JSON line, and watched until it exits, when the runs still holding it learn that their browser
// crashed. Which server serves which runs, and when one is retired, is shared-browser.ts's business.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SuiteError } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import { buildChildEnv } from './child-env.ts';
import { createLineTail } from './output-tail.ts';

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wrapper', 'browser-server.cjs');
const START_TIMEOUT_MS = 60_000;

export interface SharedBrowserSpec {
  /** The suite's playwright-core folder (resolvePlaywrightCore). */
  coreDir: string;
  /** Absent: Playwright's own headless Chromium. */
  executablePath?: string;
  args: string[];
}

/** Thrown when a shared browser cannot be started; the run then launches its own (and the log says why). */
export class SharedBrowserError extends SuiteError {}

export interface Server {
  key: string;
  child: ChildProcess;
  ready: Promise<{ wsEndpoint: string; pid: number; version: string }>;
  startedAt: number;
  runs: number;
  holders: Set<Holder>;
  retiring: boolean;
  exited?: string;
  browserPid?: number;
}

/** One run's hold on a server; `crashed` says why its browser went away under it. */
export interface Holder {
  crashed?: string;
}

export interface BrowserServerDeps {
  log: Log;
  withheldVariables?: readonly string[];
  /** Told when the server has exited, before its start is failed: the pool forgets it. */
  onExit(server: Server): void;
}

type LineTail = ReturnType<typeof createLineTail>;

export function startBrowserServer(key: string, spec: SharedBrowserSpec, deps: BrowserServerDeps): Server {
  const { child, stderr } = spawnServer(spec, deps.withheldVariables);
  const server: Server = { key, child, startedAt: Date.now(), runs: 0, holders: new Set(), retiring: false, ready: undefined! };
  server.ready = waitUntilReady(server, stderr, deps);
  server.ready.then(
    ({ version, pid }) =>
      deps.log.info({ version, pid, executablePath: spec.executablePath ?? "Playwright's own", playwrightCore: spec.coreDir }, 'shared browser started'),
    () => {},
  );
  return server;
}

/** Asks the server to stop; the runs still on it lose their browser. */
export function stopServer(server: Server): void {
  if (server.exited) return;
  server.child.kill('SIGTERM');
}

function spawnServer(spec: SharedBrowserSpec, withheldVariables: readonly string[] | undefined): { child: ChildProcess; stderr: LineTail } {
  const options = { ...(spec.executablePath ? { executablePath: spec.executablePath } : {}), args: spec.args };
  const child = spawn(process.execPath, [SERVER_SCRIPT, spec.coreDir, JSON.stringify(options)], {
    env: buildChildEnv(process.env, { VIGIL_SHARED_BROWSER: '1' }, {}, withheldVariables),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = createLineTail(20);
  child.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.write(c));
  // A one-shot `vigil run` must be able to exit with the server still up: it then sees stdin close and stops.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();
  return { child, stderr };
}

// The server's first line on stdout is its endpoint; an exit, at any time, is recorded on the server.
function waitUntilReady(server: Server, stderr: LineTail, deps: BrowserServerDeps): Server['ready'] {
  const { child } = server;
  return new Promise((resolve, reject) => {
    let line = '';
    const timer = setTimeout(() => {
      reject(new SharedBrowserError(`the shared browser did not start within ${START_TIMEOUT_MS / 1000}s`));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    timer.unref();
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      line += c;
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(line.slice(0, nl)) as { wsEndpoint: string; pid: number; version: string };
        server.browserPid = ready.pid;
        resolve(ready);
      } catch {
        reject(new SharedBrowserError(`the shared browser answered ${JSON.stringify(line.slice(0, 200))}`));
      }
    });
    child.once('error', (err) => reject(new SharedBrowserError(`the shared browser could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const exited = recordExit(server, stderr, `code ${code}, signal ${signal}`, deps);
      reject(new SharedBrowserError(exited));
      if (!server.retiring) deps.log.warn({ pid: server.browserPid, runs: server.runs }, `${exited}; the next run starts a fresh one`);
    });
  });
}

// Its last stderr lines without stack frames say why; every run holding it has now crashed.
function recordExit(server: Server, stderr: LineTail, how: string, deps: BrowserServerDeps): string {
  stderr.end();
  const why = stderr
    .lines()
    .filter((l) => !/^\s+at /.test(l))
    .slice(-5)
    .join('\n');
  const exited = `the shared browser exited (${how})${why ? `: ${why}` : ''}`;
  server.exited = exited;
  for (const holder of server.holders) holder.crashed ??= exited;
  deps.onExit(server);
  return exited;
}
