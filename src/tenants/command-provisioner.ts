import { resolve } from 'node:path';
import { MAX_ANSWER_WORDS } from './answer-limits.ts';
import { excerpt, tail } from './excerpt.ts';
import { flattenFields, pickFields, toRemoteTenant } from './pick-fields.ts';
import type { Call, ProvisionerBase } from './provisioner-base.ts';
import { renderTemplate, type TemplateContext } from './render-template.ts';
import { runCommand } from './run-command.ts';
import { tenantEnv } from './tenant-env.ts';
import { DEFAULTS, type CommandProvisionerSpec, type CommandSpec, type Provisioner, type TenantEnvironment, type TenantFields } from './types.ts';

export function createCommandProvisioner(base: ProvisionerBase, spec: CommandProvisionerSpec): Provisioner {
  for (const [call, command] of [['create', spec.create], ['delete', spec.delete], ['list', spec.list]] as const) {
    if (command && (!Array.isArray(command.command) || command.command.length === 0)) {
      throw base.fail('load', `${call}.command must be a non-empty array (argv, no shell)`);
    }
  }

  async function run(
    call: Call,
    command: CommandSpec,
    context: TemplateContext,
    extraEnv: Record<string, string>,
    signal: AbortSignal | undefined,
    stdin?: string,
  ): Promise<string | { binary: string }> {
    const where = `tenants.${base.name}.${call}`;
    const argv = renderTemplate(command.command, context, { where });
    const env = {
      ...base.env,
      ...renderTemplate(command.env ?? {}, context, { where }),
      VIGIL_ENVIRONMENT_NAME: context.environment.name,
      VIGIL_ENVIRONMENT_BASEURL: context.environment.baseURL,
      ...extraEnv,
    };
    const described = `command ${JSON.stringify(argv.join(' '))}`;
    const outcome = await runCommand({
      argv,
      cwd: resolve(base.cwd, command.cwd ?? '.'),
      env,
      stdin,
      signal: base.callSignal(signal),
    });
    if (outcome.spawnError) throw base.fail(call, `${described} could not start: ${outcome.spawnError.message}`);
    if (outcome.aborted) throw base.fail(call, `${described} ${base.abortReason(signal)}; its process group was killed`);
    if (outcome.stdoutOverflow) {
      throw base.fail(call, `${described} printed an answer larger than ${MAX_ANSWER_WORDS} on stdout; Vigil read no more and stopped its process group`);
    }
    if (outcome.code !== 0) {
      const how = outcome.code === null ? `was killed by ${outcome.killedBy}` : `exited with code ${outcome.code}`;
      const stderr = tail(outcome.stderr, base.redact);
      throw base.fail(call, `${described} ${how}${stderr ? `: ${stderr}` : ' (nothing on stderr)'}`);
    }
    return outcome.stdoutBinary === undefined ? outcome.stdout : { binary: outcome.stdoutBinary };
  }

  const parseJson = (call: Call, stdout: string | { binary: string }, expect: 'object' | 'array'): unknown => {
    if (typeof stdout !== 'string') throw base.fail(call, `command's stdout is ${stdout.binary}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      throw base.fail(call, `command printed something that is not JSON on stdout: ${excerpt(stdout, base.redact)}`);
    }
    const isArray = Array.isArray(parsed);
    const ok = expect === 'array' ? isArray : parsed !== null && typeof parsed === 'object' && !isArray;
    if (!ok) throw base.fail(call, `command must print one JSON ${expect} on stdout, got: ${excerpt(stdout, base.redact)}`);
    return parsed;
  };

  const tenantVars = (name: string, fields: TenantFields): Record<string, string> => ({
    ...tenantEnv(fields, DEFAULTS.env),
    VIGIL_TENANT_NAME: name,
  });

  const provisioner: Provisioner = {
    ...base.identity,

    async create({ name, environment }, signal) {
      const context = { tenant: { name }, environment, env: base.env };
      const stdout = await run('create', spec.create, context, { VIGIL_TENANT_NAME: name }, signal);
      const answer = parseJson('create', stdout, 'object') as Record<string, unknown>;
      const picked = spec.fields ? pickFields(answer, spec.fields) : { fields: flattenFields(answer), missing: [] };
      return base.acceptFields('create', picked);
    },

    async destroy({ name, fields, environment }, signal) {
      const context = { tenant: { name, fields }, environment, env: base.env };
      const json = JSON.stringify({ name, ...fields });
      await run('delete', spec.delete, context, tenantVars(name, fields), signal, json);
    },
  };

  const list = spec.list;
  if (list) {
    provisioner.list = async (environment: TenantEnvironment, signal?: AbortSignal) => {
      const stdout = await run('list', list, { environment, env: base.env }, {}, signal);
      const items = parseJson('list', stdout, 'array') as unknown[];
      const paths = { ...DEFAULTS.listFields, ...list.fields };
      return items.map((item) => toRemoteTenant(item, paths)).filter((t) => t !== undefined);
    };
  }
  return provisioner;
}
