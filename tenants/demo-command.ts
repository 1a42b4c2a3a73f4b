// A `command`-kind provisioner for the demo app. Vigil runs:
//   node tenants/demo-command.ts create   env VIGIL_TENANT_NAME, VIGIL_ENVIRONMENT_BASEURL, DEMO_ADMIN_TOKEN
//                                         → prints {"id","name","email","password","createdAt"}
//   node tenants/demo-command.ts delete   the create output on stdin (and VIGIL_TENANT_ID in env)
//   node tenants/demo-command.ts list     → prints [{"id","name","createdAt"}]
// Errors go to stderr with a non-zero exit code; stdout carries only the JSON answer.
import { text } from 'node:stream/consumers';
import { createDemoAdminClient } from './demo-admin-client.ts';

const USAGE = 'usage: node tenants/demo-command.ts create|delete|list';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function tenantIdToDelete(): Promise<string> {
  if (process.env.VIGIL_TENANT_ID) return process.env.VIGIL_TENANT_ID;
  const input = process.stdin.isTTY ? '' : (await text(process.stdin)).trim();
  if (!input) throw new Error('delete needs the tenant: its create output on stdin or VIGIL_TENANT_ID in env');
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new Error('delete: stdin is not JSON (expected the create output)');
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !id) throw new Error('delete: the JSON on stdin has no "id"');
  return id;
}

async function main(command: string | undefined): Promise<void> {
  if (!command || !['create', 'delete', 'list'].includes(command)) throw new Error(USAGE);
  const client = createDemoAdminClient({
    baseURL: required('VIGIL_ENVIRONMENT_BASEURL'),
    adminToken: required('DEMO_ADMIN_TOKEN'),
  });
  if (command === 'create') {
    const tenant = await client.create(required('VIGIL_TENANT_NAME'));
    const { id, name, email, password, createdAt } = tenant;
    process.stdout.write(`${JSON.stringify({ id, name, email, password, createdAt })}\n`);
  } else if (command === 'delete') {
    const id = await tenantIdToDelete();
    if (!(await client.remove(id))) process.stderr.write(`demo-command: tenant ${id} was already gone\n`);
  } else {
    process.stdout.write(`${JSON.stringify(await client.list())}\n`);
  }
}

try {
  await main(process.argv[2]);
} catch (err) {
  process.stderr.write(`demo-command: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
