import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../shared/errors.ts';
import { flattenFields, pickFields, toRemoteTenant } from './pick-fields.ts';
import type { Call, ProvisionerBase } from './provisioner-base.ts';
import { DEFAULTS, type ModuleProvisionerSpec, type Provisioner, type TenantEnvironment, type TenantFields } from './types.ts';

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

export function createModuleProvisioner(base: ProvisionerBase, spec: ModuleProvisionerSpec): Provisioner {
  const file = resolve(base.cwd, spec.module);
  const options = spec.options ?? {};
  let loaded: Promise<ProvisionerModule> | undefined;

  // Loaded on first use: createProvisioner is synchronous and `vigil config check` need not run user code.
  const load = (): Promise<ProvisionerModule> =>
    (loaded ??= (async () => {
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
    })());
  // A failed import is not cached forever: the file may be fixed while `vigil serve` runs.
  const loadOrReset = async () => {
    try {
      return await load();
    } catch (err) {
      loaded = undefined;
      throw err;
    }
  };

  // Modules may ignore the signal, so the timeout also races the returned promise.
  async function call<T>(name: Call, signal: AbortSignal | undefined, invoke: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
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

  const provisioner: Provisioner = {
    ...base.identity,

    async create({ name, environment }, signal) {
      const mod = await loadOrReset();
      const answer = await call('create', signal, (s) => mod.create({ name, environment, options, signal: s }));
      if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
        throw base.fail('create', `module ${file} create() must return an object with an "id", got ${answer === null ? 'null' : Array.isArray(answer) ? 'an array' : typeof answer}`);
      }
      const record = answer as Record<string, unknown>;
      const picked = spec.fields ? pickFields(record, spec.fields) : { fields: flattenFields(record), missing: [] };
      return base.acceptFields('create', picked);
    },

    async destroy({ name, fields, environment }, signal) {
      const mod = await loadOrReset();
      await call('delete', signal, (s) => mod.destroy({ name, fields, environment, options, signal: s }));
    },

    async ready() {
      const mod = await loadOrReset();
      // Which optional calls exist is only known once the module is loaded.
      if (!mod.list) delete provisioner.list;
    },

    async list(environment, signal) {
      const mod = await loadOrReset();
      const list = mod.list;
      if (!list) throw base.fail('list', `module ${file} does not export "list"`);
      const items = await call('list', signal, (s) => list({ environment, options, signal: s }));
      if (!Array.isArray(items)) throw base.fail('list', `module ${file} list() must return an array`);
      return items.map((item) => toRemoteTenant(item, DEFAULTS.listFields)).filter((t) => t !== undefined);
    },
  };
  return provisioner;
}
