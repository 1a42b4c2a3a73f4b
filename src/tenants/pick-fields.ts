// Reading tenant fields out of a provisioner's answer, the same for every kind: dot paths into the
// create answer (or every scalar of it), and the listed tenants the reaper can match by id and name.
import { DEFAULTS, type FieldPaths, type RemoteTenant, type TenantFields } from './types.ts';

/** Reads `a.b.0.c` from a parsed JSON value; undefined when any step is missing. */
export function atPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const asString = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

export type PickResult = { fields: TenantFields; missing: Array<{ field: string; path: string }> };

/** Picks mapped fields from an answer. Missing ones are reported, not thrown, so found secrets can be registered first. */
export function pickFields(answer: unknown, paths: FieldPaths): PickResult {
  const fields: TenantFields = {};
  const missing: PickResult['missing'] = [];
  for (const [field, path] of Object.entries(paths)) {
    const value = asString(atPath(answer, path));
    if (value === undefined) missing.push({ field, path });
    else fields[field] = value;
  }
  return { fields, missing };
}

/** The mapped fields when the config maps any; otherwise every scalar of the answer becomes a field. */
export function answerFields(answer: Record<string, unknown>, paths: FieldPaths | undefined): PickResult {
  return paths ? pickFields(answer, paths) : { fields: flattenFields(answer), missing: [] };
}

/** Every scalar of an object, nested keys joined by `.` (`{ owner: { email } }` → `owner.email`). */
export function flattenFields(answer: Record<string, unknown>, prefix = ''): TenantFields {
  const fields: TenantFields = {};
  for (const [key, value] of Object.entries(answer)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(fields, flattenFields(value as Record<string, unknown>, `${prefix}${key}.`));
    } else {
      fields[prefix + key] = asString(value) as string;
    }
  }
  return fields;
}

/** Maps one listed item; undefined when it has no id or name (it cannot be matched or destroyed). */
export function toRemoteTenant(item: unknown, paths: FieldPaths): RemoteTenant | undefined {
  const { fields } = pickFields(item, paths);
  if (!fields.id || !fields.name) return undefined;
  const created = fields.createdAt !== undefined ? parseTime(fields.createdAt) : undefined;
  return {
    id: fields.id,
    name: fields.name,
    ...(created && !Number.isNaN(created.getTime()) ? { createdAt: created } : {}),
    fields,
  };
}

/** A list answer's tenants, read with the default paths (id, name, createdAt) under the configured ones. */
export function listedTenants(items: unknown[], paths?: FieldPaths): RemoteTenant[] {
  const merged = { ...DEFAULTS.listFields, ...paths };
  return items.map((item) => toRemoteTenant(item, merged)).filter((t) => t !== undefined);
}

// Epoch numbers below 1e11 are seconds (that is the year 5138 in milliseconds); ISO text otherwise.
const parseTime = (text: string): Date => {
  if (!/^\d+(\.\d+)?$/.test(text)) return new Date(text);
  const n = Number(text);
  return new Date(n < 1e11 ? n * 1000 : n);
};
