// Node's module compile cache for Vigil's own TypeScript. Plain JavaScript on purpose: it has to run
// before the first .ts file is loaded. With the cache warm, Node reads each module's type-stripped
// source and its V8 code from disk instead of loading its TypeScript stripper (a WebAssembly build of
// swc) — which otherwise stays resident for the life of the process: about 23 MB of a long-running
// `vigil serve` (docs/architecture.md, "Start-up and memory").
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the cache lives unless NODE_COMPILE_CACHE says otherwise: the user's cache directory, which
 * survives a reboot (a cold start keeps its extra memory until it exits). Not os.tmpdir(): a cache
 * entry is code that will run, and a shared temporary directory lets another user plant one.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
export function defaultCacheDirectory(env = process.env) {
  let base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  if (!base) {
    try {
      const home = os.homedir();
      if (home) base = path.join(home, '.cache');
    } catch {
      // no home directory (a user without a passwd entry): run without a cache
    }
  }
  return base ? path.join(base, 'vigil', 'compile-cache') : undefined;
}

/**
 * Switches the compile cache on. Never throws: the cache only saves memory and start-up time, so a
 * directory that cannot be written means running without it, not failing the command.
 * NODE_COMPILE_CACHE overrides the directory and NODE_DISABLE_COMPILE_CACHE=1 turns the cache off
 * (both are Node's own variables).
 * @returns {{ enabled: boolean, directory?: string, message?: string }}
 */
export function enableCompileCache() {
  try {
    const directory = process.env.NODE_COMPILE_CACHE ? undefined : defaultCacheDirectory();
    if (!process.env.NODE_COMPILE_CACHE && !directory) return { enabled: false, message: 'no cache directory (no $HOME, no $XDG_CACHE_HOME)' };
    // The string form: Node 22 takes no options object.
    const result = module.enableCompileCache(directory);
    const { ENABLED, ALREADY_ENABLED } = module.constants.compileCacheStatus;
    const enabled = result.status === ENABLED || result.status === ALREADY_ENABLED;
    return { enabled, directory: result.directory, message: result.message };
  } catch (err) {
    return { enabled: false, message: err instanceof Error ? err.message : String(err) };
  }
}
