// A real Icinga 2 in a temp dir: API listener on 127.0.0.1:<free port>, self-signed certificate,
// one API user, passive hosts/services. Runs unprivileged paths per monitoring-facts.md.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './nagios-nsca.ts';
import type { NagiosService } from './nagios-server.ts';

export const ICINGA2_BIN = '/usr/sbin/icinga2';
export const icinga2Available = () => existsSync(ICINGA2_BIN);
const NODE_NAME = 'vigil-icinga-test';

export interface Icinga2Server {
  url: string;
  user: string;
  password: string;
  /** PEM file of the self-signed API certificate (its CN is `tlsServerName`). */
  caFile: string;
  tlsServerName: string;
  /** GET /v1/objects/services/<host>!<service> → results[0].attrs. */
  // biome-ignore lint/suspicious/noExplicitAny: Icinga's JSON, as the specs read it field by field
  serviceAttrs(host: string, service: string): Promise<Record<string, any>>;
  /** Defines a passive service at run time (needs `allowCreate`). */
  createService(host: string, service: string): Promise<void>;
  stop(): Promise<void>;
}

export function icingaGet(
  o: { url: string; user: string; password: string; caFile?: string; ca?: string; servername: string },
  path: string,
  init: { method?: string; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: Icinga's JSON, as the specs read it field by field
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, o.url),
      {
        method: init.method ?? 'GET',
        headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}` },
        ca: o.ca,
        servername: o.servername,
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(init.body === undefined ? undefined : JSON.stringify(init.body));
  });
}

/**
 * `allowCreate`: the API user may also create objects (a test defines a service while Vigil runs).
 * `permissions`: replaces the API user's permissions (the model's tests modify objects and schedule downtimes).
 * `extraConfig`: more Icinga 2 DSL lines (host groups, active services).
 */
export async function startIcinga2(opts: {
  services: NagiosService[];
  allowCreate?: boolean;
  permissions?: string[];
  extraConfig?: string[];
}): Promise<Icinga2Server> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-icinga2-'));
  const paths = {
    ConfigDir: join(dir, 'etc'),
    DataDir: join(dir, 'lib'),
    LogDir: join(dir, 'log'),
    CacheDir: join(dir, 'cache'),
    SpoolDir: join(dir, 'spool'),
    InitRunDir: join(dir, 'run'),
    ZonesDir: join(dir, 'etc', 'zones.d'),
  };
  for (const p of Object.values(paths)) await mkdir(p, { recursive: true });
  await mkdir(join(paths.DataDir, 'certs'), { recursive: true });
  const port = await freePort();
  const password = `icinga-pw-${Math.random().toString(36).slice(2, 10)}`;
  const certs = join(paths.DataDir, 'certs');
  const caFile = join(certs, 'ca.crt');
  await promisify(execFile)(
    ICINGA2_BIN,
    ['pki', 'new-cert', '--cn', NODE_NAME, '--key', join(certs, `${NODE_NAME}.key`), '--cert', join(certs, `${NODE_NAME}.crt`)],
    { env: { ...process.env, ICINGA2_USER: 'root', ICINGA2_GROUP: 'root' } },
  );
  const { copyFile, readFile } = await import('node:fs/promises');
  await copyFile(join(certs, `${NODE_NAME}.crt`), caFile);

  const hosts = [...new Set(opts.services.map((s) => s.host))];
  const config = [
    `const NodeName = "${NODE_NAME}"`,
    `object Endpoint NodeName { }`,
    `object Zone "master" { endpoints = [ NodeName ] }`,
    `const ZoneName = "master"`,
    `object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = ${port}; accept_config = false; accept_commands = false }`,
    opts.permissions
      ? `object ApiUser "vigil" { password = "${password}"; permissions = ${JSON.stringify(opts.permissions)} }`
      : `object ApiUser "vigil" { password = "${password}"; permissions = [ "actions/process-check-result", "objects/query/*"${opts.allowCreate ? ', "objects/create/*"' : ''} ] }`,
    `object CheckCommand "vigil-passive" { command = [ "/bin/true" ] }`,
    ...hosts.map((h) => `object Host "${h}" { check_command = "vigil-passive"; enable_active_checks = false; address = "127.0.0.1" }`),
    ...opts.services.map(
      (s) => `object Service "${s.service}" { host_name = "${s.host}"; check_command = "vigil-passive"; enable_active_checks = false; max_check_attempts = 1 }`,
    ),
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n');
  const configFile = join(paths.ConfigDir, 'icinga2.conf');
  await writeFile(configFile, config);

  const defines = Object.entries(paths).flatMap(([k, v]) => ['-D', `Configuration.${k}=${v}`]);
  const child = spawn(ICINGA2_BIN, ['daemon', '-c', configFile, ...defines], {
    env: { ...process.env, ICINGA2_USER: 'root', ICINGA2_GROUP: 'root' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the umbrella process has children we must stop too
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
      if (!(await Promise.race([exitedPromise.then(() => true), sleep(5000).then(() => false)]))) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
        await exitedPromise;
      }
      // Its children may outlive the umbrella by a moment; the group kill reached them.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    await rm(dir, { recursive: true, force: true });
  };

  const ca = await readFile(caFile, 'utf8');
  const url = `https://127.0.0.1:${port}`;
  const conn = { url, user: 'vigil', password, ca, servername: NODE_NAME };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await icingaGet(conn, `/v1/objects/hosts`).catch(() => undefined);
    if (answer?.status === 200) break;
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`icinga2 did not start (API ${url}): ${output.slice(-2000)}`);
    }
    await sleep(200);
  }

  return {
    url,
    user: 'vigil',
    password,
    caFile,
    tlsServerName: NODE_NAME,
    async serviceAttrs(host, service) {
      const path = `/v1/objects/services/${encodeURIComponent(`${host}!${service}`)}?attrs=state&attrs=last_check_result&attrs=last_check`;
      const { status, body } = await icingaGet(conn, path);
      if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
      return body.results[0].attrs;
    },
    async createService(host, service) {
      const path = `/v1/objects/services/${encodeURIComponent(`${host}!${service}`)}`;
      const attrs = { check_command: 'vigil-passive', enable_active_checks: false, max_check_attempts: 1 };
      const { status, body } = await icingaGet(conn, path, { method: 'PUT', body: { attrs } });
      if (status !== 200) throw new Error(`PUT ${path} answered ${status}: ${JSON.stringify(body)}`);
    },
    stop,
  };
}
