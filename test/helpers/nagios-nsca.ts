// A real `nsca --single` daemon on 127.0.0.1:<free port>, writing into a test Nagios' command file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NSCA_BIN = '/usr/sbin/nsca';
export const nscaAvailable = () => existsSync(NSCA_BIN);

export interface NscaServer {
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves when the daemon sends its 132-byte init packet on a fresh connection. */
async function answersInit(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let bytes = 0;
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes >= 132) done(true);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(bytes >= 132));
  });
}

/** `port`: a fixed port (a test that brings NSCA up where a client already points); default a free one. */
export async function startNsca(opts: { commandFile: string; method: number; password?: string; port?: number }): Promise<NscaServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-nsca-'));
  const port = opts.port ?? (await freePort());
  const cfg = [
    `server_port=${port}`,
    'server_address=127.0.0.1',
    `pid_file=${join(dir, 'nsca.pid')}`,
    `command_file=${opts.commandFile}`,
    `alternate_dump_file=${join(dir, 'nsca.dump')}`,
    'debug=1',
    'aggregate_writes=0',
    'append_to_file=0',
    'max_packet_age=30',
    `decryption_method=${opts.method}`,
    ...(opts.password !== undefined ? [`password=${opts.password}`] : []),
    '',
  ].join('\n');
  await writeFile(join(dir, 'nsca.cfg'), cfg, { mode: 0o600 });
  // -f keeps it in the foreground so the child we spawned is the daemon we stop.
  const child = spawn(NSCA_BIN, ['-f', '-c', join(dir, 'nsca.cfg'), '--single'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (!exited) {
      child.kill('SIGTERM');
      if (!(await Promise.race([exitedPromise.then(() => true), sleep(3000).then(() => false)]))) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await answersInit(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`nsca did not start on 127.0.0.1:${port}: ${output.slice(-1000)}`);
    }
    await sleep(50);
  }
  return { port, stop };
}
