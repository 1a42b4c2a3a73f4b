// Loading a provisioner module and calling into it. The module is imported on first use (creating a
// provisioner is synchronous, and `vigil config check` need not run user code) and checked for the
// functions it must export; a failed import is tried again on the next call. A call is bounded by the
// provisioner's timeout even when the module ignores its signal, and what it throws names the module.
import { pathToFileURL } from 'node:url';
import { messageOf } from '../shared/errors.ts';
import type { Call, ProvisionerBase } from './provisioner-base.ts';
import type { TenantEnvironment, TenantFields } from './types.ts';

/** What a provisioner module exports (see docs). */
export interface ProvisionerModule {
  create(args: { name: string; environment: TenantEnvironment; options: Record<string, unknown>; signal: AbortSignal }): Promise<unknown> | unknown;
  destroy(args: {
    name: string;
    fields: TenantFields;
    environment: TenantEnvironment;
    options: Record<string, unknown>;
    signal: AbortSignal;
  }): Promise<unknown> | unknown;
  list?(args: { environment: TenantEnvironment; options: Record<string, unknown>; signal: AbortSignal }): Promise<unknown> | unknown;
}

/** The module, imported once; a failed import is not cached, since the file may be fixed while `vigil serve` runs. */
export function lazyModuleLoader(base: ProvisionerBase, file: string): () => Promise<ProvisionerModule> {
  let loaded: Promise<ProvisionerModule> | undefined;
  return async () => {
    try {
      return await (loaded ??= importProvisionerModule(base, file));
    } catch (err) {
      loaded = undefined;
      throw err;
    }
  };
}

async function importProvisionerModule(base: ProvisionerBase, file: string): Promise<ProvisionerModule> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw base.fail('load', `cannot load module ${file}: ${messageOf(err)}`);
  }
  const missing = ['create', 'destroy'].filter((name) => typeof mod[name] !== 'function');
  if (missing.length > 0) {
    throw base.fail('load', `module ${file} does not export ${missing.map((m) => `a "${m}" function`).join(' and ')}`);
  }
  if (mod.list !== undefined && typeof mod.list !== 'function') {
    throw base.fail('load', `module ${file} exports "list" but it is not a function`);
  }
  return mod as unknown as ProvisionerModule;
}

// Modules may ignore the signal, so the timeout also races the returned promise.
export async function callModule<T>(
  base: ProvisionerBase,
  file: string,
  name: Call,
  signal: AbortSignal | undefined,
  invoke: (signal: AbortSignal) => Promise<T> | T,
): Promise<T> {
  const combined = base.callSignal(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(base.fail(name, `module ${file} ${base.abortReason(signal)}`));
    if (combined.aborted) onAbort();
    else combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve().then(() => invoke(combined)), aborted]);
  } catch (err) {
    if (err instanceof Error && err.name === 'ProvisionError') throw err;
    throw base.fail(name, `module ${file} threw: ${messageOf(err)}`);
  } finally {
    if (onAbort) combined.removeEventListener('abort', onAbort);
    aborted.catch(() => {});
  }
}
