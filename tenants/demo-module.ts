// A `module`-kind provisioner for the demo app: Vigil imports this file and calls its exports.
// The admin token comes from `options.adminToken` in the config, else from env DEMO_ADMIN_TOKEN.
import { createDemoAdminClient, type DemoAdminClient } from './demo-admin-client.ts';

export interface DemoEnvironment {
  name: string;
  baseURL: string;
}

export interface DemoModuleOptions {
  adminToken?: string;
  /** Per admin API request. */
  timeoutMs?: number;
}

interface CallArgs {
  environment: DemoEnvironment;
  options?: Record<string, unknown>;
  signal?: AbortSignal;
}

function clientFor({ environment, options = {}, signal }: CallArgs): DemoAdminClient {
  const { adminToken, timeoutMs } = options as DemoModuleOptions;
  return createDemoAdminClient({
    baseURL: environment.baseURL,
    adminToken: adminToken ?? process.env.DEMO_ADMIN_TOKEN ?? '',
    signal,
    timeoutMs,
  });
}

/** Flat fields; Vigil treats `password` as secret and hands all of them to the suite. */
export async function create(args: CallArgs & { name: string }): Promise<Record<string, string>> {
  const { id, name, email, password, createdAt } = await clientFor(args).create(args.name);
  return { id, name, email, password, createdAt };
}

export async function destroy(args: CallArgs & { name: string; fields: Record<string, string> }): Promise<void> {
  const id = args.fields.id;
  if (!id) throw new Error(`destroy: tenant ${args.name} has no "id" field`);
  await clientFor(args).remove(id);
}

export async function list(args: CallArgs): Promise<Array<{ id: string; name: string; createdAt: string; fields: Record<string, string> }>> {
  const tenants = await clientFor(args).list();
  return tenants.map((t) => ({ ...t, fields: { id: t.id, name: t.name } }));
}
