// Loaded by the suite's own Playwright (main process and every worker) through the per-run wrapper
// config. Plain CommonJS so any Playwright version loads it without transpiling, from an ESM or a
// CJS wrapper alike. It loads the app's config and overrides only what Vigil must own.
'use strict';
const { createRequire } = require('node:module');
const { readFileSync, readdirSync, rmSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const BUILTIN_REPORTERS = new Set(['list', 'line', 'dot', 'json', 'junit', 'html', 'blob', 'github', 'null', 'markdown']);

function nearestPackageType(dir) {
  for (let d = dir, i = 0; i < 64; i++) {
    try {
      return JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).type === 'module' ? 'module' : 'commonjs';
    } catch {}
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return 'commonjs';
}

// Same rule Playwright uses, so their config loads exactly as it would without Vigil.
function isModule(file) {
  if (/\.(mjs|mts)$/.test(file)) return true;
  if (/\.(cjs|cts)$/.test(file)) return false;
  return nearestPackageType(path.dirname(file)) === 'module';
}

function unwrap(loaded) {
  let config = loaded && typeof loaded === 'object' && 'default' in loaded ? loaded.default : loaded;
  // CJS transpiled from `export default` may nest one more level.
  if (config && typeof config === 'object' && 'default' in config && Object.keys(config).length === 1) config = config.default;
  return config;
}

// ESM configs may use top-level await, so they are awaited; CJS configs are required synchronously,
// exactly as Playwright would (a CJS wrapper cannot await, and Playwright does not await a CJS export).
async function vigilConfig(settings) {
  const file = settings.configFile;
  const loaded = isModule(file) ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  return override(await unwrap(loaded), settings);
}

function vigilConfigSync(settings) {
  const file = settings.configFile;
  return override(unwrap(createRequire(file)(file)), settings);
}

function override(theirs, settings) {
  if (!theirs || typeof theirs !== 'object') return theirs; // Playwright reports the problem itself.
  if (!process.env.TEST_WORKER_INDEX) startOrphanWatchdog();

  const configDir = path.dirname(settings.configFile);
  const requireFromTheirs = createRequire(settings.configFile);
  const abs = (p) => (typeof p === 'string' && p !== '' ? path.resolve(configDir, p) : p);
  const absList = (p) => (Array.isArray(p) ? p.map(abs) : abs(p));
  // globalSetup and custom reporters may be package names, resolved from their folder like Playwright does.
  const script = (id) => {
    if (typeof id !== 'string' || id === '') return id;
    if (id.startsWith('.') || path.isAbsolute(id)) return abs(id);
    try {
      return requireFromTheirs.resolve(id);
    } catch {
      return id;
    }
  };
  const scripts = (s) => (Array.isArray(s) ? s.map(script) : script(s));

  const config = { ...theirs }; // spread keeps defineConfig's symbol marker
  delete config.webServer; // the app under test is the deployed environment
  config.testDir = abs(theirs.testDir) ?? configDir;
  if (theirs.snapshotDir !== undefined) config.snapshotDir = abs(theirs.snapshotDir);
  if (theirs.tsconfig !== undefined) config.tsconfig = abs(theirs.tsconfig);
  if (theirs.globalSetup !== undefined) config.globalSetup = scripts(theirs.globalSetup);
  if (theirs.globalTeardown !== undefined) config.globalTeardown = scripts(theirs.globalTeardown);
  if (theirs.expect?.toHaveScreenshot?.stylePath !== undefined) {
    config.expect = { ...theirs.expect, toHaveScreenshot: { ...theirs.expect.toHaveScreenshot, stylePath: absList(theirs.expect.toHaveScreenshot.stylePath) } };
  }
  config.outputDir = settings.outputDir;
  config.reporter = [[settings.reporterPath, {}], ...(settings.keepReporters ? absReporters(theirs.reporter, abs, script) : [])];

  const topBrowser = theirs.use?.browserName ?? 'chromium';
  // Recording a trace for every test costs about a tenth of a suite's run time (npm run bench). With
  // retries, the retry of a failed test is traced, which is what a person opens; without, failed tests
  // keep theirs. Either way a passing run keeps nothing.
  const retries = settings.retries ?? theirs.retries ?? 0;
  const defaultTrace = retries > 0 ? 'on-first-retry' : 'retain-on-failure';
  const hasProjects = Array.isArray(theirs.projects);
  config.use = withUse(theirs.use, theirs.use, topBrowser, { ...settings, defaultTrace }, abs, undefined, !hasProjects);
  if (Array.isArray(theirs.projects)) {
    config.projects = theirs.projects.map((project) => {
      const p = { ...project };
      if (project.testDir !== undefined) p.testDir = abs(project.testDir);
      if (project.snapshotDir !== undefined) p.snapshotDir = abs(project.snapshotDir);
      if (project.outputDir !== undefined) p.outputDir = settings.outputDir;
      const browser = project.use?.browserName ?? topBrowser;
      // A project's `use` is merged over the top-level one, so ours must be in every project too.
      p.use = withUse(project.use, { ...theirs.use, ...project.use }, browser, settings, abs, theirs.use?.launchOptions ?? {}, true);
      return p;
    });
  }
  return config;
}

// `connects`: this `use` is the one the tests run with (a project's, or the top level's when there are no
// projects); with projects, the top level only feeds them and never connects.
function withUse(own, effective, browserName, settings, abs, topLaunchOptions, connects) {
  const isProject = topLaunchOptions !== undefined;
  // Vigil's `use` (suites.<s>.use, environments.<e>.use) goes over theirs like baseURL; headers merge.
  const headers = settings.use?.extraHTTPHeaders ? { ...effective?.extraHTTPHeaders, ...settings.use.extraHTTPHeaders } : undefined;
  const use = { ...own, ...settings.use, ...(headers ? { extraHTTPHeaders: headers } : {}), baseURL: settings.baseURL };
  if (!isProject) {
    if (use.trace === undefined) use.trace = settings.defaultTrace;
    if (use.screenshot === undefined) use.screenshot = 'only-on-failure';
  }
  if (typeof use.storageState === 'string') use.storageState = abs(use.storageState);
  const b = settings.browser;
  const headless = use.headless ?? effective?.headless ?? effective?.launchOptions?.headless ?? true;
  if (connects && sharesBrowser(settings.connect, browserName, headless, effective)) {
    // A shared browser (shared-browser.ts): the run's own contexts in it; their launchOptions cannot apply.
    use.connectOptions = { wsEndpoint: settings.connect.wsEndpoint };
  } else if (b && browserName === 'chromium') {
    const theirs = effective?.launchOptions ?? {};
    // The headless shell only runs headless; a headed project needs the full browser.
    const executablePath = headless ? (b.headlessExecutablePath ?? b.executablePath) : b.executablePath;
    use.launchOptions = {
      ...theirs,
      ...(executablePath ? { executablePath } : {}),
      args: [...(theirs.args ?? []), ...(b.args ?? [])],
    };
  } else if (b && isProject && own?.launchOptions === undefined) {
    // A non-Chromium project must not inherit the Chromium binary we put at the top level.
    use.launchOptions = topLaunchOptions;
  }
  return use;
}

// Only headless Chromium projects that do not connect elsewhere already, and — unless the suite says
// `shared: always` — that set no launch options of their own (a shared browser cannot honour them).
function sharesBrowser(connect, browserName, headless, effective) {
  if (!connect || browserName !== 'chromium' || headless === false || effective?.connectOptions) return false;
  const launchOptions = effective?.launchOptions;
  return connect.always || !launchOptions || Object.keys(launchOptions).length === 0;
}

function absReporters(reporter, abs, script) {
  if (reporter === undefined) return [];
  const list = typeof reporter === 'string' ? [[reporter]] : reporter;
  return list.map(([name, options]) => {
    const resolvedName = BUILTIN_REPORTERS.has(name) ? name : script(name);
    if (!options || typeof options !== 'object') return [resolvedName, options];
    const o = { ...options };
    for (const key of ['outputFile', 'outputFolder', 'outputDir']) if (typeof o[key] === 'string') o[key] = abs(o[key]);
    return [resolvedName, o];
  });
}

// If Vigil is killed with SIGKILL it cannot end the detached Playwright group; the group ends itself
// when Vigil is no longer among its ancestors (reparenting breaks the chain, pid reuse cannot fake it).
let watchdogStarted = false;
function startOrphanWatchdog() {
  const vigilPid = Number(process.env.VIGIL_PARENT_PID);
  if (watchdogStarted || !vigilPid) return;
  watchdogStarted = true;
  if (!ancestors(process.pid).includes(vigilPid)) return;
  const timer = setInterval(() => {
    if (ancestors(process.pid).includes(vigilPid)) return;
    const pgid = statOf(process.pid)?.pgrp;
    // Vigil cannot remove this run's wrapper folder any more; it holds nothing else.
    if (process.env.VIGIL_WORK_DIR) rmSync(process.env.VIGIL_WORK_DIR, { recursive: true, force: true });
    for (const pid of descendants(process.pid)) kill(pid);
    for (const pid of markedProcesses()) if (pid !== process.pid) kill(pid);
    if (pgid) kill(-pgid);
    kill(process.pid);
  }, 500);
  timer.unref();
}

function kill(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

function statOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), pgrp: Number(f[2]) };
  } catch {
    return undefined;
  }
}

function ancestors(pid) {
  const chain = [];
  for (let p = statOf(pid)?.ppid, i = 0; p && p > 1 && i < 64; p = statOf(p)?.ppid, i++) chain.push(p);
  return chain;
}

function pids() {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

function descendants(root) {
  const children = new Map();
  for (const pid of pids()) {
    const ppid = statOf(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out = [];
  const queue = [root];
  while (queue.length && out.length < 10000) {
    for (const c of children.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function markedProcesses() {
  const marker = process.env.VIGIL_RUN_MARKER;
  if (!marker) return [];
  const needle = `VIGIL_RUN_MARKER=${marker}\0`;
  return pids().filter((pid) => {
    try {
      return `${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle);
    } catch {
      return false;
    }
  });
}

module.exports = { vigilConfig, vigilConfigSync, isModule };
