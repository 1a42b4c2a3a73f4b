// A real demo app (in this process, real HTTP on 127.0.0.1) and a real Vigil config pointing at it,
// in a temp dir. Everything a `vigil` child process needs to monitor the demo like production.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../../demo/app.ts';
import { SYSTEM_CHROMIUM_ARGS } from '../../src/suites/system-browser.ts';
import { repoRoot } from './vigil-cli.ts';

/**
 * Nothing: Vigil picks Playwright's own Chromium, else the system one, as in production. CHROMIUM_PATH
 * pins one explicitly.
 */
export function browserYaml(): string {
  const executablePath = process.env.CHROMIUM_PATH;
  return executablePath ? `browser: { executablePath: ${executablePath}, args: ${JSON.stringify(SYSTEM_CHROMIUM_ARGS)} }` : '';
}

export interface E2E {
  dir: string;
  configFile: string;
  storeFile: string;
  demoUrl: string;
  adminToken: string;
  env: NodeJS.ProcessEnv;
  demo: Awaited<ReturnType<typeof startDemo>>;
  /** `exporters`: the YAML block under `exporters:` (indented by two spaces, starting with a newline). */
  writeConfig(overrides?: {
    suite?: string;
    tenants?: string;
    ttl?: string;
    baseURL?: string;
    timeout?: string;
    tenantApi?: string;
    exporters?: string;
    keepArtifacts?: number;
  }): Promise<string>;
  adminTenants(): Promise<Array<{ id: string; name: string }>>;
  close(): Promise<void>;
}

export async function setupE2E(): Promise<E2E> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-e2e-'));
  const adminToken = `adm-${randomBytes(16).toString('hex')}`;
  const demo = await startDemo({ port: 0, adminToken });
  const configFile = path.join(dir, 'vigil.yaml');
  const storeFile = path.join(dir, 'vigil.db');

  const writeConfig: E2E['writeConfig'] = async (o = {}) => {
    const tenants =
      o.tenants ??
      `
  demo:
    kind: http
    ttl: ${o.ttl ?? '2h'}
    timeout: 10s
    create:
      method: POST
      url: "${o.tenantApi ?? '{{environment.baseURL}}'}/admin/tenants"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
      body: { name: "{{tenant.name}}" }
    fields: { id: id, email: owner.email, password: owner.password }
    delete:
      method: DELETE
      url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
    list:
      method: GET
      url: "{{environment.baseURL}}/admin/tenants"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
      items: tenants
      fields: { id: id, name: name, createdAt: createdAt }`;
    const suite =
      o.suite ??
      `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: ${o.timeout ?? '3m'}
    retries: 1
    grepInvert: { local: "@payments" }`;
    await writeFile(
      configFile,
      `store: ${storeFile}
artifacts: { dir: ${path.join(dir, 'artifacts')}, keep: ${o.keepArtifacts ?? 50} }
${browserYaml()}
environments:
  local: { baseURL: "${o.baseURL ?? demo.url}", tenants: demo }
tenants:${tenants}
suites:${suite}
${o.exporters ? `exporters:${o.exporters}\n` : ''}`,
    );
    return configFile;
  };
  await writeConfig();

  return {
    dir,
    configFile,
    storeFile,
    demoUrl: demo.url,
    adminToken,
    env: { DEMO_ADMIN_TOKEN: adminToken, VIGIL_CONFIG: undefined },
    demo,
    writeConfig,
    async adminTenants() {
      const res = await fetch(`${demo.url}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (!res.ok) throw new Error(`admin API answered ${res.status}`);
      return ((await res.json()) as { tenants: Array<{ id: string; name: string }> }).tenants;
    },
    async close() {
      await demo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Processes whose environment carries this run id: the suite's Playwright, its workers, Chromium. */
export async function processesOfRun(runId: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'latin1');
      if (environ.split('\0').includes(`VIGIL_RUN_ID=${runId}`)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Forwards every request to `target` and keeps the response bodies: lets a test see real secrets. */
export async function startRecordingProxy(target: string) {
  const http = await import('node:http');
  const bodies: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(new URL(req.url ?? '/', target), {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const text = await answer.text();
    bodies.push(text);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function listFiles(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}
