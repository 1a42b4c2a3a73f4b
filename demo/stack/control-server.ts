// The stack's control socket, `<dir>/control.sock`: the stack lives in one process (start.ts, a test,
// a bench), but a scenario's actions are commands Vigil runs as children — `node demo/stack/control.ts
// <dir> kill app-0` connects here. One line in (a command of commands.ts), one line out: `ok <answer>`
// or `error <why>`, then the connection closes. A Unix socket, mode 600: only the stack's user drives it.
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

export const controlSocketPath = (dir: string) => join(dir, 'control.sock');
const MAX_LINE = 4096;

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

export async function listenControl(path: string, run: (line: string) => Promise<string>): Promise<ControlServer> {
  // A socket file left by a stack that was killed outright would make listen() fail with EADDRINUSE.
  await rm(path, { force: true });
  const server: Server = createServer((conn) => {
    let input = '';
    conn.setEncoding('utf8');
    conn.on('error', () => {
      // The client went away: nothing to answer.
    });
    conn.on('data', (d: string) => {
      input += d;
      const end = input.indexOf('\n');
      if (end < 0 && input.length < MAX_LINE) return;
      conn.removeAllListeners('data');
      const line = (end < 0 ? input : input.slice(0, end)).trim();
      run(line).then(
        (answer) => conn.end(`ok ${answer.replace(/\n+/g, ' | ')}\n`),
        (err: Error) => conn.end(`error ${err.message.replace(/\n+/g, ' | ')}\n`),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    path,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
