// The command kind: create, delete and list are programs run as argv (no shell), the tenant passed in
// VIGIL_* variables and, for delete, as JSON on stdin; create and list print their answer as JSON.
import { parseCommandJson, runCommandCall } from './command-call.ts';
import { answerFields, listedTenants } from './pick-fields.ts';
import type { ProvisionerBase } from './provisioner-base.ts';
import { tenantEnv } from './tenant-env.ts';
import { DEFAULTS, type CommandProvisionerSpec, type Provisioner, type TenantEnvironment, type TenantFields } from './types.ts';

export function createCommandProvisioner(base: ProvisionerBase, spec: CommandProvisionerSpec): Provisioner {
  for (const [call, command] of [
    ['create', spec.create],
    ['delete', spec.delete],
    ['list', spec.list],
  ] as const) {
    if (command && (!Array.isArray(command.command) || command.command.length === 0)) {
      throw base.fail('load', `${call}.command must be a non-empty array (argv, no shell)`);
    }
  }

  const provisioner: Provisioner = {
    ...base.identity,

    async create({ name, environment }, signal) {
      const context = { tenant: { name }, environment, env: base.env };
      const stdout = await runCommandCall(base, 'create', spec.create, context, { VIGIL_TENANT_NAME: name }, signal);
      const answer = parseCommandJson(base, 'create', stdout, 'object') as Record<string, unknown>;
      return base.acceptFields('create', answerFields(answer, spec.fields));
    },

    async destroy({ name, fields, environment }, signal) {
      const context = { tenant: { name, fields }, environment, env: base.env };
      const json = JSON.stringify({ name, ...fields });
      await runCommandCall(base, 'delete', spec.delete, context, tenantVars(name, fields), signal, json);
    },
  };

  const list = spec.list;
  if (list) {
    provisioner.list = async (environment: TenantEnvironment, signal?: AbortSignal) => {
      const stdout = await runCommandCall(base, 'list', list, { environment, env: base.env }, {}, signal);
      return listedTenants(parseCommandJson(base, 'list', stdout, 'array') as unknown[], list.fields);
    };
  }
  return provisioner;
}

// delete learns its tenant from the default VIGIL_TENANT_* variables (as a suite would), plus its name.
const tenantVars = (name: string, fields: TenantFields): Record<string, string> => ({
  ...tenantEnv(fields, DEFAULTS.env),
  VIGIL_TENANT_NAME: name,
});
