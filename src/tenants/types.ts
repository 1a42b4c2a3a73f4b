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
  destroy(
    tenant: { name: string; fields: TenantFields; environment: TenantEnvironment },
    signal?: AbortSignal,
  ): Promise<void>;
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

// Config sections, as the config loader hands them over: durations already in milliseconds. The
// common keys are optional here so that a schema with or without defaults fits; defaults below.

/** Dot paths into an answer, e.g. `{ id: 'id', password: 'owner.password' }`. */
export type FieldPaths = Record<string, string>;

export interface ProvisionerCommon {
  prefix?: string;
  ttl?: number;
  timeout?: number;
  secretFields?: string[];
  env?: TenantEnvMapping;
}

export interface TenantEnvMapping {
  json: string;
  prefix: string;
}

export interface HttpRequestSpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface HttpListSpec extends HttpRequestSpec {
  /** Dot path to the array in the answer; absent when the answer is the array. */
  items?: string;
  fields?: FieldPaths;
}

export interface HttpProvisionerSpec extends ProvisionerCommon {
  kind: 'http';
  create: HttpRequestSpec;
  /** Defaults to `{ id: 'id' }`; must map `id`. */
  fields?: FieldPaths;
  delete: HttpRequestSpec;
  list?: HttpListSpec;
}

export interface CommandSpec {
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export interface CommandListSpec extends CommandSpec {
  fields?: FieldPaths;
}

export interface CommandProvisionerSpec extends ProvisionerCommon {
  kind: 'command';
  create: CommandSpec;
  /** When absent, every scalar of the printed object becomes a field (nested keys joined by `.`). */
  fields?: FieldPaths;
  delete: CommandSpec;
  list?: CommandListSpec;
}

export interface ModuleProvisionerSpec extends ProvisionerCommon {
  kind: 'module';
  module: string;
  options?: Record<string, unknown>;
  /** When absent, every scalar of the returned object becomes a field (nested keys joined by `.`). */
  fields?: FieldPaths;
}

export type ProvisionerSpec = HttpProvisionerSpec | CommandProvisionerSpec | ModuleProvisionerSpec;

export const DEFAULTS = {
  prefix: 'vigil',
  ttl: 2 * 3_600_000,
  timeout: 30_000,
  env: { json: 'VIGIL_TENANT_JSON', prefix: 'VIGIL_TENANT_' } satisfies TenantEnvMapping,
  listFields: { id: 'id', name: 'name', createdAt: 'createdAt' } satisfies FieldPaths,
} as const;
