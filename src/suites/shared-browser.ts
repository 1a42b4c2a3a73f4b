// A shared browser per Playwright installation (opt-in per suite, docs/running-playwright.md, "Shared
// browser"): one Chromium started with the suites' own playwright-core (client and server versions must
// match), served to their runs over Playwright's protocol; each run connects with `use.connectOptions`
// and gets its own contexts, closed when it disconnects. What one run costs then is its Playwright
// runner, its worker and its pages, not a whole browser.
//
// The server is a small child process Vigil owns (wrapper/browser-server.cjs, started and watched in
// shared-browser-server.ts). It is restarted when it crashed (the run that held it ends as a runner
// fault, never as a failed app), and retired after `maxRuns` runs or `maxAgeMs`: the runs still on it
// finish there, new runs get a fresh one.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Log } from '../shared/log.ts';
import { SharedBrowserError, startBrowserServer, stopServer, type Holder, type Server, type SharedBrowserSpec } from './shared-browser-server.ts';

export { SharedBrowserError, type SharedBrowserSpec } from './shared-browser-server.ts';

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

export function createSharedBrowsers(opts: SharedBrowsersOptions) {
  const { log } = opts;
  const maxRuns = opts.maxRuns ?? 200;
  const maxAgeMs = opts.maxAgeMs ?? 6 * 3_600_000;
  const servers = new Map<string, Server>(); // the current one per key; retiring ones live on in `all`
  const all = new Set<Server>();

  function start(key: string, spec: SharedBrowserSpec): Server {
    const server = startBrowserServer(key, spec, { log, withheldVariables: opts.withheldVariables, onExit: forget });
    all.add(server);
    servers.set(key, server);
    return server;
  }

  function forget(server: Server): void {
    if (servers.get(server.key) === server) servers.delete(server.key);
    all.delete(server);
  }

  function retire(server: Server, why: string): void {
    if (server.retiring) return;
    server.retiring = true;
    if (servers.get(server.key) === server) servers.delete(server.key);
    log.info({ pid: server.browserPid, runs: server.runs }, `shared browser retired (${why}); new runs get a fresh one`);
    if (server.holders.size === 0) stopServer(server);
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
    return { wsEndpoint: ready.wsEndpoint, end: () => endLease(held, holder) };
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
        stopServer(s);
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

// The run lets go of its server, which stops if it was retired and this was its last run.
function endLease(server: Server, holder: Holder): ReturnType<BrowserLease['end']> {
  server.holders.delete(holder);
  // The browser may have died a moment ago with its server process not yet told: ask the kernel too.
  const crashed =
    holder.crashed ?? (!server.exited && server.browserPid && !alive(server.browserPid) ? `the shared browser (pid ${server.browserPid}) is gone` : undefined);
  if (server.retiring && server.holders.size === 0) stopServer(server);
  return crashed ? { crashed: true, message: crashed } : { crashed: false };
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
