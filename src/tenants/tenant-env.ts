import { DEFAULTS, type TenantEnvMapping, type TenantFields } from './types.ts';

export const envNameOf = (field: string): string => field.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** How the tenant reaches the suite: all fields as JSON, plus one variable per field. */
export function tenantEnv(fields: TenantFields, mapping: TenantEnvMapping = DEFAULTS.env): Record<string, string> {
  const env: Record<string, string> = { [mapping.json]: JSON.stringify(fields) };
  for (const [field, value] of Object.entries(fields)) env[mapping.prefix + envNameOf(field)] = value;
  return env;
}
