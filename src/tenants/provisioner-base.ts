import { ProvisionError } from '../shared/errors.ts';
import { formatSeconds } from '../shared/duration.ts';
import type { Log } from '../shared/log.ts';
import type { Redactor } from '../shared/redact.ts';
import type { PickResult } from './pick-fields.ts';
import { secretFieldTest } from './secret-fields.ts';
import { DEFAULTS, type Provisioner, type ProvisionerDeps, type ProvisionerSpec, type TenantFields } from './types.ts';

export type Call = 'create' | 'delete' | 'list' | 'load';

/** What every provisioner kind shares: settings with defaults applied and failure helpers. */
export interface ProvisionerBase {
  identity: Pick<Provisioner, 'name' | 'prefix' | 'ttlMs' | 'isSecretField'>;
  name: string;
  prefix: string;
  ttlMs: number;
  timeoutMs: number;
  cwd: string;
  log: Log;
  redact: Redactor;
  env: Record<string, string | undefined>;
  isSecretField(field: string): boolean;
  /** A ProvisionError for `tenants.<name>.<call>` with the message redacted. */
  fail(call: Call, message: string): ProvisionError;
  /** Registers secret values with the redactor, then insists on every mapped field and on `id`. */
  /** `source` names the answer in messages (`POST http://…/admin/tenants answered 201`). */
  acceptFields(call: Call, picked: PickResult, source?: string): TenantFields;
  /** The caller's signal combined with this provisioner's per-call timeout. */
  callSignal(signal?: AbortSignal): AbortSignal;
  /** Why a call was cut short: the caller interrupted it or it ran out of time. */
  abortReason(signal?: AbortSignal): string;
}

export function createProvisionerBase(name: string, spec: ProvisionerSpec, deps: ProvisionerDeps): ProvisionerBase {
  const timeoutMs = spec.timeout ?? DEFAULTS.timeout;
  const isSecretField = secretFieldTest(spec.secretFields);
  const fail = (call: Call, message: string) => new ProvisionError(deps.redact(message), { where: `tenants.${name}.${call}` });

  const prefix = spec.prefix ?? DEFAULTS.prefix;
  const ttlMs = spec.ttl ?? DEFAULTS.ttl;
  return {
    name,
    prefix,
    ttlMs,
    /** The part of the Provisioner interface every kind shares. */
    identity: { name, prefix, ttlMs, isSecretField },
    timeoutMs,
    cwd: deps.cwd,
    log: deps.log,
    redact: deps.redact,
    env: deps.env ?? process.env,
    isSecretField,
    fail,
    acceptFields(call, { fields, missing }, source) {
      const from = source ? `${source}, but ` : '';
      for (const [field, value] of Object.entries(fields)) if (isSecretField(field)) deps.redact.add(value);
      if (missing.length > 0) {
        const list = missing.map((m) => (m.field === m.path ? `"${m.path}"` : `"${m.path}" (for ${m.field})`));
        throw fail(call, `${from}field ${list.join(', ')} missing from answer`);
      }
      if (!fields.id) throw fail(call, `${from}answer has no "id" (map one under "fields", e.g. fields: { id: tenant.id })`);
      return fields;
    },
    callSignal(signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      return signal ? AbortSignal.any([signal, timeout]) : timeout;
    },
    abortReason(signal) {
      return signal?.aborted ? 'interrupted' : `timed out after ${formatSeconds(timeoutMs / 1000)}`;
    },
  };
}
