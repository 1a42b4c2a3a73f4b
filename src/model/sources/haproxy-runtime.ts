// The servers of one HAProxy backend, read through its runtime API (the `stats socket … level admin`
// or `level operator` UNIX socket): `show servers state <backend>`, HAProxy's versioned dump (first
// line "1", then a `# be_id be_name srv_id srv_name …` header, then one line per server). Columns are
// found by their names in the header, so a later format version that adds columns still reads.
// Checked on HAProxy 2.6.12: a server added at run time (`add server app/app-9 …`) is listed at once,
// in maintenance (admin state 1) until enabled; an unknown backend answers "Can't find backend.".
import { createConnection } from 'node:net';

/** One server as the pool sees it: its name in HAProxy and its state in words. */
export interface PoolServer {
  name: string;
  /** UP, DOWN, STARTING, STOPPING, MAINT or DRAIN (maintenance and drain win over the health state). */
  state: string;
}

// server-t.h (2.6): SRV_ADMF_FMAINT 0x01, IMAINT 0x02, CMAINT 0x04 (`disabled` in the config), FDRAIN
// 0x08, IDRAIN 0x10, RMAINT 0x20 (DNS resolution failed).
const ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20;
const ADMIN_DRAIN = 0x08 | 0x10;
// srv_op_state: SRV_ST_STOPPED, STARTING, RUNNING, STOPPING.
const OP_STATES = ['DOWN', 'STARTING', 'UP', 'STOPPING'];

export class RuntimeApiError extends Error {}

/** One command on the runtime API (non-interactive: HAProxy answers and closes the connection). */
export function runtimeCommand(socket: string, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let answer = '';
    conn.setEncoding('utf8');
    conn.setTimeout(timeoutMs, () => conn.destroy(new RuntimeApiError(`did not answer "${command}" within ${timeoutMs / 1000}s`)));
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: string) => {
      answer += d;
    });
    conn.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof RuntimeApiError ? err : new RuntimeApiError(socketProblem(err))));
    conn.on('close', () => resolve(answer));
  });
}

const socketProblem = (err: NodeJS.ErrnoException): string => {
  if (err.code === 'ENOENT') return 'no such socket (is HAProxy running, with `stats socket` at this path?)';
  if (err.code === 'ECONNREFUSED') return 'connection refused (HAProxy is not running, or the socket is stale)';
  if (err.code === 'EACCES') return 'permission denied (the socket is mode 600 of its owner: run as that user, or set `stats socket … mode 660 group …`)';
  return err.message;
};

/** `show servers state <backend>`'s answer → its servers; throws RuntimeApiError when the answer is not that dump. */
export function parseServersState(text: string, backend: string): PoolServer[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== '1') {
    const said = lines.join(' ').trim();
    throw new RuntimeApiError(
      said === "Can't find backend." ? `HAProxy has no backend ${JSON.stringify(backend)}` : `not a servers-state dump: ${JSON.stringify(said.slice(0, 200))}`,
    );
  }
  const header = lines[1]?.startsWith('# ') ? lines[1].slice(2).split(' ') : [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new RuntimeApiError(`the servers-state dump has no column ${name}`);
    return i;
  };
  const [beName, srvName, opState, adminState] = [col('be_name'), col('srv_name'), col('srv_op_state'), col('srv_admin_state')];
  return lines
    .slice(2)
    .map((line) => line.split(' '))
    .filter((f) => f[beName] === backend)
    .map((f) => ({ name: f[srvName], state: serverState(Number(f[opState]), Number(f[adminState])) }));
}

function serverState(op: number, admin: number): string {
  if (admin & ADMIN_MAINT) return 'MAINT';
  if (admin & ADMIN_DRAIN) return 'DRAIN';
  return OP_STATES[op] ?? `op state ${op}`;
}

/** Every server of the backend, whatever its state: a server in maintenance or drained is still in the pool. */
export async function readHaproxyBackend(spec: { socket: string; backend: string; timeoutMs: number }): Promise<PoolServer[]> {
  const answer = await runtimeCommand(spec.socket, `show servers state ${spec.backend}`, spec.timeoutMs);
  return parseServersState(answer, spec.backend);
}
