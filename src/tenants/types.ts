import type { CommandProvisionerConfig, HttpProvisionerConfig, ModuleProvisionerConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { Redactor } from '../shared/redact.ts';

export interface TenantEnvironment {
  name: string;
  baseURL: string;
}

/** Values picked from the provisioner's answer, as strings; always has `id`. */
export type TenantFields = Record<string, string>;

export interface RemoteTenant {
  id: string;
  name: string;
  createdAt?: Date;
  fields: TenantFields;
}

export interface Provisioner {
  /** The config key, e.g. `demo`. */
  readonly name: string;
  readonly prefix: string;
  readonly ttlMs: number;
  isSecretField(field: string): boolean;
  create(tenant: { name: string; environment: TenantEnvironment }, signal?: AbortSignal): Promise<TenantFields>;
  destroy(tenant: { name: string; fields: TenantFields; environment: TenantEnvironment }, signal?: AbortSignal): Promise<void>;
  list?(environment: TenantEnvironment, signal?: AbortSignal): Promise<RemoteTenant[]>;
  /**
   * Loads what the provisioner needs (a module's import) and settles which optional calls exist:
   * after it resolves, `list` is present only when the provisioner can list. Throws a ProvisionError
   * when the provisioner cannot work (a module without `create`). Optional; call it when present.
   */
  ready?(): Promise<void>;
}

export interface ProvisionerDeps {
  /** Relative `module`, command `cwd` and command paths resolve against this (the config file's folder). */
  cwd: string;
  log: Log;
  redact: Redactor;
  /** Source of `{{env.X}}` and the base environment of commands; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

// Provisioner specs are the config schema's output types (src/config/schema.ts), not copies: a field
// added to the schema reaches the provisioners' types. The common keys have defaults there; here they
// are optional so that a provisioner built outside the config loader (tests, a module) may leave them
// out, and DEFAULTS below fill them.
type CommonKey = 'prefix' | 'ttl' | 'timeout' | 'secretFields' | 'env' | 'options';
type Spec<C> = Omit<C, CommonKey> & Partial<Pick<C, Extract<keyof C, CommonKey>>>;

export type HttpProvisionerSpec = Spec<HttpProvisionerConfig>;
export type CommandProvisionerSpec = Spec<CommandProvisionerConfig>;
export type ModuleProvisionerSpec = Spec<ModuleProvisionerConfig>;
export type ProvisionerSpec = HttpProvisionerSpec | CommandProvisionerSpec | ModuleProvisionerSpec;

/** One templated HTTP call (create, delete, list). */
export type HttpRequestSpec = HttpProvisionerConfig['create'];
/** One argv call (create, delete, list). */
export type CommandSpec = CommandProvisionerConfig['create'];
/** Dot paths into an answer, e.g. `{ id: 'id', password: 'owner.password' }`. */
export type FieldPaths = Record<string, string>;
export type TenantEnvMapping = HttpProvisionerConfig['env'];

export const DEFAULTS = {
  prefix: 'vigil',
  ttl: 2 * 3_600_000,
  timeout: 30_000,
  env: { json: 'VIGIL_TENANT_JSON', prefix: 'VIGIL_TENANT_', map: {} } satisfies TenantEnvMapping,
  listFields: { id: 'id', name: 'name', createdAt: 'createdAt' } satisfies FieldPaths,
} as const;
