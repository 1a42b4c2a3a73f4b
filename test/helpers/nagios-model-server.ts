// A throwaway Nagios 4 for the service model's tests: hosts in host groups, services configured as
// active or passive-only, and a way to send any external command (results, DISABLE_SVC_CHECK,
// downtime, acknowledgements). Nothing is executed on its own (execute_*_checks=0): every result
// comes from the test, except forced checks, which Nagios runs anyway (/bin/true: OK / UP).
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mainConfig, NAGIOS_BIN, parseStatus, type StatusBlock } from './nagios-server.ts';

export interface ModelHost {
  name: string;
  groups?: string[];
  /** Active host check configured (default false: passive only). */
  active?: boolean;
}

export interface ModelService {
  host: string;
  service: string;
  active?: boolean;
}

export interface ModelNagios {
  dir: string;
  statusFile: string;
  objectCache: string;
  commandFile: string;
  /** Sends `[now] <command>` through the command file (a line already starting with `[epoch]` is sent as is). */
  command(...commands: string[]): Promise<void>;
  /** Waits until Nagios has written a status.dat in which `predicate` holds (status.dat is rewritten every second). */
  waitForStatus(predicate: (blocks: { hosts: StatusBlock[]; services: StatusBlock[] }) => boolean, timeoutMs?: number): Promise<void>;
  service(host: string, service: string): Promise<StatusBlock | undefined>;
  stop(): Promise<void>;
}

const TIMEPERIOD = `define timeperiod {
  timeperiod_name always
  alias always
${['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => `  ${d} 00:00-24:00`).join('\n')}
}
define command {
  command_name test-noop
  command_line /bin/true
}
define contact {
  contact_name test-nobody
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period always
  service_notification_period always
  host_notification_options n
  service_notification_options n
  host_notification_commands test-noop
  service_notification_commands test-noop
}`;

export function modelObjects(hosts: ModelHost[], services: ModelService[]): string {
  const groups = [...new Set(hosts.flatMap((h) => h.groups ?? []))];
  return `${[
    TIMEPERIOD,
    ...groups.map((g) => `define hostgroup {\n  hostgroup_name ${g}\n  alias ${g}\n}`),
    ...hosts.map(
      (h) =>
        `define host {\n  host_name ${h.name}\n  address 127.0.0.1\n${h.groups?.length ? `  hostgroups ${h.groups.join(',')}\n` : ''}  max_check_attempts 1\n  check_period always\n  check_command test-noop\n  check_interval 5\n  active_checks_enabled ${h.active ? 1 : 0}\n  passive_checks_enabled 1\n  contacts test-nobody\n  notification_period always\n  notifications_enabled 0\n}`,
    ),
    ...services.map(
      (s) =>
        `define service {\n  host_name ${s.host}\n  service_description ${s.service}\n  check_command test-noop\n  max_check_attempts 1\n  check_interval 5\n  retry_interval 1\n  check_period always\n  active_checks_enabled ${s.active ? 1 : 0}\n  passive_checks_enabled 1\n  check_freshness 0\n  contacts test-nobody\n  notification_period always\n  notifications_enabled 0\n}`,
    ),
  ].join('\n\n')}\n`;
}

export async function startModelNagios(opts: { hosts: ModelHost[]; services: ModelService[] }): Promise<ModelNagios> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-model-nagios-'));
  const statusFile = join(dir, 'status.dat');
  const commandFile = join(dir, 'nagios.cmd');
  await writeFile(join(dir, 'objects.cfg'), modelObjects(opts.hosts, opts.services));
  await writeFile(join(dir, 'nagios.cfg'), mainConfig(dir, [join(dir, 'objects.cfg')]));
  await mkdir(join(dir, 'checkresults'));
  const child = spawn(NAGIOS_BIN, [join(dir, 'nagios.cfg')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      if (!(await Promise.race([exit.then(() => true), sleep(3000).then(() => false)]))) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const read = async () => {
    const text = await readFile(statusFile, 'utf8').catch(() => '');
    return { hosts: parseStatus(text, 'hoststatus'), services: parseStatus(text, 'servicestatus') };
  };
  const waitForStatus: ModelNagios['waitForStatus'] = async (predicate, timeoutMs = 8000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`nagios4 exited: ${output.slice(-2000)}`);
      if (predicate(await read())) return;
      if (Date.now() > until) {
        const log = await readFile(join(dir, 'nagios.log'), 'utf8').catch(() => '');
        throw new Error(`status.dat did not reach the expected state in ${timeoutMs}ms\nnagios.log tail:\n${log.slice(-1500)}`);
      }
      await sleep(100);
    }
  };

  try {
    const until = Date.now() + 10_000;
    for (;;) {
      if (exited) throw new Error(`nagios4 exited during start: ${output.slice(-2000)}`);
      const fifo = await stat(commandFile).catch(() => null);
      const status = await read();
      if (fifo?.isFIFO() && status.services.length >= opts.services.length && status.hosts.length >= opts.hosts.length) break;
      if (Date.now() > until) throw new Error(`nagios4 not ready after 10s: ${output.slice(-2000)}`);
      await sleep(50);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    dir,
    statusFile,
    objectCache: join(dir, 'objects.cache'),
    commandFile,
    async command(...commands) {
      const now = Math.floor(Date.now() / 1000);
      const handle = await open(commandFile, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        await handle.write(commands.map((c) => (c.startsWith('[') ? `${c}\n` : `[${now}] ${c}\n`)).join(''));
      } finally {
        await handle.close();
      }
    },
    waitForStatus,
    service: async (host, service) => (await read()).services.find((s) => s.host_name === host && s.service_description === service),
    stop,
  };
}
