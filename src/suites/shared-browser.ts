// A shared browser per Playwright installation (opt-in per suite, docs/running-playwright.md, "Shared
// browser"): one Chromium started with the suites' own playwright-core (client and server versions must
// match), served to their runs over Playwright's protocol; each run connects with `use.connectOptions`
// and gets its own contexts, closed when it disconnects. What one run costs then is its Playwright
// runner, its worker and its pages, not a whole browser.
//
// The server is a small child process Vigil owns (wrapper/browser-server.cjs). It is restarted when it
// crashed (the run that held it ends as a runner fault, never as a failed app), and retired after
// `maxRuns` runs or `maxAgeMs`: the runs still on it finish there, new runs get a fresh one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

export interface BrowserLease {
  wsEndpoint: string;
  /** Ends the run's use of the browser: `crashed` when the browser went away while the run held it. */
  end(): { crashed: boolean; message?: string };
}

export interface SharedBrowsersOptions {
  log: Log;
  /** Vigil's own secrets: not in the server's environment (which is Vigil's, never a suite's: it serves them all). */
  withheldVariables?: readonly string[];
  /** Retire a browser after this many runs. Default 200. */
  maxRuns?: number;
  /** Retire a browser this long after it started. Default 6 h. */
  maxAgeMs?: number;
}

interface Server {
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

interface Holder {
  crashed?: string;
}

/** Thrown when a shared browser cannot be started; the run then launches its own (and the log says why). */
export class SharedBrowserError extends SuiteError {}

export function createSharedBrowsers(opts: SharedBrowsersOptions) {
  const { log } = opts;
  const maxRuns = opts.maxRuns ?? 200;
  const maxAgeMs = opts.maxAgeMs ?? 6 * 3_600_000;
  const servers = new Map<string, Server>(); // the current one per key; retiring ones live on in `all`
  const all = new Set<Server>();

  function start(key: string, spec: SharedBrowserSpec): Server {
    const options = { ...(spec.executablePath ? { executablePath: spec.executablePath } : {}), args: spec.args };
    const child = spawn(process.execPath, [SERVER_SCRIPT, spec.coreDir, JSON.stringify(options)], {
      env: buildChildEnv(process.env, { VIGIL_SHARED_BROWSER: '1' }, {}, opts.withheldVariables),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stderr = createLineTail(20);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.write(c));
    // A one-shot `vigil run` must be able to exit with the server still up: it then sees stdin close and stops.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();

    const server: Server = { key, child, startedAt: Date.now(), runs: 0, holders: new Set(), retiring: false, ready: undefined! };
    server.ready = new Promise((resolve, reject) => {
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
        stderr.end();
        const why = stderr.lines().filter((l) => !/^\s+at /.test(l)).slice(-5).join('\n');
        server.exited = `the shared browser exited (code ${code}, signal ${signal})${why ? `: ${why}` : ''}`;
        for (const holder of server.holders) holder.crashed ??= server.exited;
        if (servers.get(key) === server) servers.delete(key);
        all.delete(server);
        reject(new SharedBrowserError(server.exited));
        if (!server.retiring) log.warn({ pid: server.browserPid, runs: server.runs }, `${server.exited}; the next run starts a fresh one`);
      });
    });
    server.ready.then(
      ({ version, pid }) => log.info({ version, pid, executablePath: spec.executablePath ?? "Playwright's own", playwrightCore: spec.coreDir }, 'shared browser started'),
      () => {},
    );
    all.add(server);
    servers.set(key, server);
    return server;
  }

  function retire(server: Server, why: string): void {
    if (server.retiring) return;
    server.retiring = true;
    if (servers.get(server.key) === server) servers.delete(server.key);
    log.info({ pid: server.browserPid, runs: server.runs }, `shared browser retired (${why}); new runs get a fresh one`);
    if (server.holders.size === 0) stop(server);
  }

  function stop(server: Server): void {
    if (server.exited) return;
    server.child.kill('SIGTERM');
  }

  /** A browser for one run: the current one for this installation and binary, or a fresh one. */
  async function lease(spec: SharedBrowserSpec): Promise<BrowserLease> {
    const key = JSON.stringify([spec.coreDir, spec.executablePath ?? '', spec.args]);
    let server = servers.get(key);
    if (server && server.runs >= maxRuns) retire(server, `${maxRuns} runs`);
    else if (server && Date.now() - server.startedAt >= maxAgeMs) retire(server, `${Math.round(maxAgeMs / 60_000)} min old`);
    server = servers.get(key) ?? start(key, spec);
    const holder: Holder = {};
    server.holders.add(holder);
    server.runs++;
    const held = server;
    let ready;
    try {
      ready = await held.ready;
    } catch (err) {
      held.holders.delete(holder);
      throw err;
    }
    return {
      wsEndpoint: ready.wsEndpoint,
      end() {
        held.holders.delete(holder);
        // The browser may have died a moment ago with its server process not yet told: ask the kernel too.
        const crashed = holder.crashed ?? (!held.exited && held.browserPid && !alive(held.browserPid) ? `the shared browser (pid ${held.browserPid}) is gone` : undefined);
        if (held.retiring && held.holders.size === 0) stop(held);
        return crashed ? { crashed: true, message: crashed } : { crashed: false };
      },
    };
  }

  return {
    lease,
    /** Pids of the running shared browsers (their Chromium main process), for diagnostics and tests. */
    browserPids: (): number[] => [...all].flatMap((s) => (s.browserPid && !s.exited ? [s.browserPid] : [])),
    /** Stops every shared browser and waits until their servers are gone. */
    async close(): Promise<void> {
      const exits = [...all].map((s) => (s.exited ? Promise.resolve() : new Promise<void>((r) => s.child.once('exit', () => r()))));
      for (const s of all) {
        s.retiring = true;
        stop(s);
      }
      servers.clear();
      await Promise.all(exits);
    },
  };
}

export type SharedBrowsers = ReturnType<typeof createSharedBrowsers>;

/** The playwright-core that the suite's own Playwright loads: the server must be exactly that one. */
export function resolvePlaywrightCore(cliPath: string): string {
  // @playwright/test → playwright → playwright-core, each resolved from the one before, as Node does.
  let from = cliPath;
  for (const name of ['playwright', 'playwright-core']) {
    try {
      from = createRequire(from).resolve(`${name}/package.json`);
    } catch {
      if (name === 'playwright') continue; // the suite depends on `playwright` itself: cliPath is in it
      throw new SharedBrowserError(`playwright-core cannot be found from ${path.dirname(cliPath)}`);
    }
  }
  return path.dirname(from);
}

// A zombie (exited, not yet reaped by the server process) counts as gone.
function alive(pid: number): boolean {
  try {
    if (!existsSync(`/proc/${pid}`)) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
