// The load balancer: HAProxy in front of the members, with
//   - health checks (GET /healthz) that take a dead member out in under a second,
//   - a runtime API socket (level admin) for scenarios: `set server app/app-0 state maint`,
//     `disable server app/app-0`, and the blue/green switch `set map <routes.map> live green`,
//   - its built-in Prometheus exporter on a separate stats frontend (/metrics; /stats is the HTML page).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Guardian } from './guardian.ts';
import { startChild, waitReady, type Child } from './child.ts';

export const HAPROXY_BIN = '/usr/sbin/haproxy';

export interface Backend {
  name: string;
  servers: Array<{ name: string; port: number }>;
}

export interface HaproxyLayout {
  dir: string;
  lbPort: number;
  statsPort: number;
  /** The first is live at start; the map file names the live one. */
  backends: Backend[];
}

export const haproxyPaths = (dir: string) => ({
  config: join(dir, 'haproxy.cfg'),
  socket: join(dir, 'haproxy.sock'),
  routes: join(dir, 'routes.map'),
});

export function haproxyConfig(layout: HaproxyLayout): string {
  const paths = haproxyPaths(layout.dir);
  const live = layout.backends[0].name;
  return `# Written by demo/stack (Vigil's example stack). The runtime API: ${paths.socket}
global
  stats socket ${paths.socket} mode 600 level admin
  stats timeout 10s

defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  # A request that reaches a member which just died is retried on another one.
  retries 2
  option redispatch

frontend shop
  bind 127.0.0.1:${layout.lbPort}
  # The live backend is looked up in a map, so switching blue/green is one runtime command:
  #   set map ${paths.routes} live <backend>
  use_backend %[str(live),map(${paths.routes},${live})]

${layout.backends
  .map(
    (b) => `backend ${b.name}
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  # Checked every 500 ms, every 200 ms while changing state: a dead member is out in under a second.
  default-server inter 500ms fastinter 200ms downinter 1s fall 2 rise 2
${b.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`).join('\n')}
`,
  )
  .join('\n')}
frontend stats
  bind 127.0.0.1:${layout.statsPort}
  http-request use-service prometheus-exporter if { path /metrics }
  stats enable
  stats uri /stats
`;
}

/** One command on the runtime API (non-interactive: HAProxy answers and closes). Returns its answer. */
export function haproxyRuntime(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let answer = '';
    conn.setEncoding('utf8');
    conn.setTimeout(5000, () => conn.destroy(new Error(`HAProxy runtime API (${socket}) did not answer "${command}" within 5s`)));
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: string) => (answer += d));
    conn.on('error', reject);
    conn.on('close', () => resolve(answer));
  });
}

export interface ServerState {
  backend: string;
  server: string;
  /** UP, DOWN, MAINT, DRAIN, NOLB, or a transition such as "UP 1/2". */
  status: string;
  /** Sessions it has served since HAProxy started (stot). */
  sessions: number;
}

/** The servers of every backend with their state, from `show stat` (CSV: pxname, svname, …, stot at 7, status at 17). */
export async function serverStates(socket: string): Promise<ServerState[]> {
  const csv = await haproxyRuntime(socket, 'show stat');
  return csv
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(','))
    .filter((f) => f[1] !== 'FRONTEND' && f[1] !== 'BACKEND' && f.length > 17)
    .map((f) => ({ backend: f[0], server: f[1], status: f[17], sessions: Number(f[7]) }));
}

export async function startHaproxy(layout: HaproxyLayout, guardian: Guardian): Promise<Child> {
  const paths = haproxyPaths(layout.dir);
  await writeFile(paths.routes, `live ${layout.backends[0].name}\n`);
  await writeFile(paths.config, haproxyConfig(layout));
  // -db: stay in the foreground, so the process we started is the one that serves.
  const child = startChild({ name: 'haproxy', command: HAPROXY_BIN, args: ['-db', '-f', paths.config], cwd: layout.dir, guardian });
  try {
    // Ready = the runtime API answers and every member has passed its health checks.
    await waitReady(child, 'all servers UP', async () => {
      if (!existsSync(paths.socket)) return false;
      const states = await serverStates(paths.socket).catch(() => []);
      const expected = layout.backends.reduce((n, b) => n + b.servers.length, 0);
      return states.length === expected && states.every((s) => s.status === 'UP');
    });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
