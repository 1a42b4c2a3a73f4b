// The module kind: create, destroy and list are functions a TS/JS module exports (module-call.ts loads
// and calls it); create returns an object mapped to fields like a command's printed JSON.
import { resolve } from 'node:path';
import { callModule, lazyModuleLoader } from './module-call.ts';
import { answerFields, listedTenants } from './pick-fields.ts';
import type { ProvisionerBase } from './provisioner-base.ts';
import type { ModuleProvisionerSpec, Provisioner } from './types.ts';

export function createModuleProvisioner(base: ProvisionerBase, spec: ModuleProvisionerSpec): Provisioner {
  const file = resolve(base.cwd, spec.module);
  const options = spec.options ?? {};
  const load = lazyModuleLoader(base, file);

  const provisioner: Provisioner = {
    ...base.identity,

    async create({ name, environment }, signal) {
      const mod = await load();
      const answer = await callModule(base, file, 'create', signal, (s) => mod.create({ name, environment, options, signal: s }));
      if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
        throw base.fail(
          'create',
          `module ${file} create() must return an object with an "id", got ${answer === null ? 'null' : Array.isArray(answer) ? 'an array' : typeof answer}`,
        );
      }
      return base.acceptFields('create', answerFields(answer as Record<string, unknown>, spec.fields));
    },

    async destroy({ name, fields, environment }, signal) {
      const mod = await load();
      await callModule(base, file, 'delete', signal, (s) => mod.destroy({ name, fields, environment, options, signal: s }));
    },

    async ready() {
      const mod = await load();
      // Which optional calls exist is only known once the module is loaded.
      if (!mod.list) delete provisioner.list;
    },

    async list(environment, signal) {
      const mod = await load();
      const list = mod.list;
      if (!list) throw base.fail('list', `module ${file} does not export "list"`);
      const items = await callModule(base, file, 'list', signal, (s) => list({ environment, options, signal: s }));
      if (!Array.isArray(items)) throw base.fail('list', `module ${file} list() must return an array`);
      return listedTenants(items);
    },
  };
  return provisioner;
}
