// A throwaway PostgreSQL 15 for tests, like the throwaway Nagios: Debian's postgresql-15 binaries,
// `initdb` and `pg_ctl` as the `postgres` user (PostgreSQL refuses to run as root) in a temp dir, on
// 127.0.0.1 and a free port, password authentication over TCP, durability switched off for speed.
// Each test gets its own database (createDatabase), so stores never see each other's rows.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './nagios-nsca.ts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export const postgresAvailable = (): boolean => existsSync(path.join(PG_BIN, 'initdb')) && existsSync(path.join(PG_BIN, 'pg_ctl'));

export interface TestPostgres {
  port: number;
  password: string;
  /** `postgres://vigil:<password>@127.0.0.1:<port>/<database>`. */
  url(database: string): string;
  /** A new, empty database; its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast, not graceful), then removes its files. */
  stop(): Promise<void>;
  /** Stops it without removing anything (a database that went away); start() brings it back. */
  halt(): void;
  start(): void;
}

/** As the postgres user when we are root (initdb and postgres refuse root), else as ourselves. */
function asPostgres(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args]] : [path.join(PG_BIN, command), args];
  const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
}

let counter = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-pg-'));
  chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  asPostgres('initdb', [
    '-D',
    data,
    '-U',
    'vigil',
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  start();
  const url = (database: string) => `postgres://vigil:${password}@127.0.0.1:${port}/${database}`;
  return {
    port,
    password,
    url,
    async createDatabase(name = `vigil_${process.pid}_${++counter}`) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    halt: () => asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    async stop() {
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
