import { ProvisionError } from '../shared/errors.ts';
import type { TenantEnvironment, TenantFields } from './types.ts';

export interface TemplateContext {
  /** `{{tenant.name}}` and `{{tenant.<field>}}`; fields win over nothing, name is always there. */
  tenant?: { name: string; fields?: TenantFields };
  environment: TenantEnvironment;
  /** `{{env.X}}`. */
  env: Record<string, string | undefined>;
}

export interface TemplateOptions {
  /** Names the call in errors, e.g. `tenants.demo.delete`. */
  where: string;
  /**
   * The value is a URL: tenant values (which come from the app or are generated) are
   * percent-encoded so an id like `a/b` stays one path segment. Environment and env values are
   * the operator's own and inserted as written (a baseURL must keep its slashes).
   */
  url?: boolean;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Replaces `{{…}}` in every string of a JSON-like value. An unknown placeholder is an error. */
export function renderTemplate<T>(value: T, context: TemplateContext, options: TemplateOptions): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return renderString(v, context, options);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

function renderString(text: string, context: TemplateContext, options: TemplateOptions): string {
  return text.replace(PLACEHOLDER, (_whole, expression: string) => {
    const { value, fromTenant } = resolve(expression, context, options.where);
    return options.url && fromTenant ? encodeURIComponent(value) : value;
  });
}

function resolve(expression: string, context: TemplateContext, where: string): { value: string; fromTenant: boolean } {
  const dot = expression.indexOf('.');
  const scope = dot < 0 ? expression : expression.slice(0, dot);
  const key = dot < 0 ? '' : expression.slice(dot + 1);
  const unknown = (why: string) => new ProvisionError(`unknown placeholder {{${expression}}}: ${why}`, { where });

  if (scope === 'tenant') {
    if (!context.tenant) throw unknown('there is no tenant in this call');
    if (key === 'name') return { value: context.tenant.name, fromTenant: true };
    const fields = context.tenant.fields ?? {};
    const value = fields[key];
    if (value === undefined) {
      const known = ['name', ...Object.keys(fields)].join(', ');
      throw unknown(`the tenant has no field "${key}" here (known: ${known}; secret fields are not kept for delete/list)`);
    }
    return { value, fromTenant: true };
  }
  if (scope === 'environment') {
    if (key === 'baseURL') return { value: context.environment.baseURL, fromTenant: false };
    if (key === 'name') return { value: context.environment.name, fromTenant: false };
    throw unknown('use environment.baseURL or environment.name');
  }
  if (scope === 'env') {
    const value = context.env[key];
    if (value === undefined) throw unknown(`environment variable ${key} is not set`);
    return { value, fromTenant: false };
  }
  throw unknown('use tenant.name, tenant.<field>, environment.baseURL, environment.name or env.<VAR>');
}
