import { ProvisionError } from '../shared/errors.ts';
import { DEFAULTS, type TenantEnvMapping, type TenantFields } from './types.ts';

export const envNameOf = (field: string): string => field.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * How the tenant reaches the suite: all fields as JSON, one variable per field, and the names the
 * suite already reads (`map: { E2E_USER: email }`). A mapped field the tenant does not have is an error
 * naming it: an empty E2E_USER would make the suite fail for a reason that is not the app's.
 */
export function tenantEnv(fields: TenantFields, mapping: Partial<TenantEnvMapping> = DEFAULTS.env, where = 'tenants.env.map'): Record<string, string> {
  const { json, prefix, map } = { ...DEFAULTS.env, ...mapping };
  const env: Record<string, string> = { [json]: JSON.stringify(fields) };
  for (const [field, value] of Object.entries(fields)) env[prefix + envNameOf(field)] = value;
  for (const [name, field] of Object.entries(map ?? {}) as Array<[string, string]>) {
    if (!(field in fields)) {
      throw new ProvisionError(`${name}: the tenant has no field "${field}" (it has: ${Object.keys(fields).join(', ')})`, { where });
    }
    env[name] = fields[field];
  }
  return env;
}
