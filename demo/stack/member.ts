// A member of the service: one demo app process (demo/server.ts) on a port of its own, kept across
// restarts so that HAProxy's backend and Nagios' checks still point at it. All members share one SQLite file —
// tenants and sessions live in it — so any member can serve any request and the load balancer needs no
// stickiness.
import { join } from 'node:path';
import type { Guardian } from './guardian.ts';
import { startChild, waitReady, type Child } from './child.ts';

const DEMO_SERVER = join(import.meta.dirname, '..', 'server.ts');

export interface MemberOptions {
  name: string;
  port: number;
  dbPath: string;
  adminToken: string;
  dir: string;
  guardian: Guardian;
}

/**
 * Starts the member on `opts.port`; with port 0 the OS picks one as the member binds it (a port probed
 * free beforehand can be taken by another process before the member binds it: two stacks starting at
 * once did). The port it listens on comes back with it: a restart must reuse it.
 */
export async function startMember(opts: MemberOptions): Promise<{ child: Child; port: number }> {
  let stdout = '';
  const child = startChild({
    name: opts.name,
    command: process.execPath,
    args: [DEMO_SERVER, '--port', String(opts.port), '--host', '127.0.0.1', '--db', opts.dbPath],
    cwd: opts.dir,
    env: { PATH: process.env.PATH, DEMO_ADMIN_TOKEN: opts.adminToken },
    guardian: opts.guardian,
    onStdout: (text) => (stdout += text),
  });
  try {
    await waitReady(child, 'listening line', () => stdout.includes('demo listening on'));
  } catch (err) {
    await child.stop();
    throw err;
  }
  const port = Number(/demo listening on http:\/\/[^:\s]+:(\d+)/.exec(stdout)?.[1]);
  if (!port) {
    await child.stop();
    throw new Error(`${opts.name} did not say its port: ${stdout.trim()}`);
  }
  return { child, port };
}
