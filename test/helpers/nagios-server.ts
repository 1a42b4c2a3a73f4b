// A throwaway Nagios 4 core for tests: its own temp dir, passive-only services, no Apache, no syslog.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NAGIOS_BIN = '/usr/sbin/nagios4';

export interface NagiosService {
  host: string;
  service: string;
}

export type StatusBlock = Record<string, string>;

export interface NagiosServer {
  dir: string;
  commandFile: string;
  logFile: string;
  /** Parsed `servicestatus` blocks of status.dat, values unescaped as Nagios wrote them (`\n` stays two chars). */
  readStatus(): Promise<StatusBlock[]>;
  /** The block of one service, or undefined. */
  serviceStatus(host: string, service: string): Promise<StatusBlock | undefined>;
  /** Polls status.dat until `predicate` holds for the service, or throws after `timeoutMs`. */
  waitForService(host: string, service: string, predicate: (s: StatusBlock) => boolean, timeoutMs?: number): Promise<StatusBlock>;
  readLog(): Promise<string>;
  stop(): Promise<void>;
}

export function nagiosAvailable(): boolean {
  return existsSync(NAGIOS_BIN);
}

/** Object definitions for passive services, shared with the dashboards cfg test. */
export function passiveObjects(services: NagiosService[]): string {
  const hosts = [...new Set(services.map((s) => s.host))];
  return `${[
    'define timeperiod {\n  timeperiod_name always\n  alias always\n  sunday 00:00-24:00\n  monday 00:00-24:00\n  tuesday 00:00-24:00\n  wednesday 00:00-24:00\n  thursday 00:00-24:00\n  friday 00:00-24:00\n  saturday 00:00-24:00\n}',
    'define command {\n  command_name test-noop\n  command_line /bin/true\n}',
    'define contact {\n  contact_name test-nobody\n  host_notifications_enabled 0\n  service_notifications_enabled 0\n  host_notification_period always\n  service_notification_period always\n  host_notification_options n\n  service_notification_options n\n  host_notification_commands test-noop\n  service_notification_commands test-noop\n}',
    ...hosts.map(
      (h) =>
        `define host {\n  host_name ${h}\n  address 127.0.0.1\n  max_check_attempts 1\n  check_period always\n  active_checks_enabled 0\n  passive_checks_enabled 1\n  contacts test-nobody\n  notification_period always\n  notifications_enabled 0\n}`,
    ),
    ...services.map(
      (s) =>
        `define service {\n  host_name ${s.host}\n  service_description ${s.service}\n  check_command test-noop\n  max_check_attempts 1\n  check_interval 5\n  retry_interval 1\n  check_period always\n  active_checks_enabled 0\n  passive_checks_enabled 1\n  check_freshness 0\n  contacts test-nobody\n  notification_period always\n  notifications_enabled 0\n}`,
    ),
  ].join('\n\n')}\n`;
}

/** A minimal main config; `cfgFiles` are object files to include. */
export function mainConfig(dir: string, cfgFiles: string[]): string {
  return [
    `log_file=${join(dir, 'nagios.log')}`,
    ...cfgFiles.map((f) => `cfg_file=${f}`),
    `object_cache_file=${join(dir, 'objects.cache')}`,
    // Its own query handler socket: the default (/var/lib/nagios4/rw/nagios.qh) would be shared by every
    // throwaway Nagios running at once, and their check workers find the main process through it.
    `query_socket=${join(dir, 'nagios.qh')}`,
    `precached_object_file=${join(dir, 'objects.precache')}`,
    `status_file=${join(dir, 'status.dat')}`,
    'status_update_interval=1',
    'nagios_user=root',
    'nagios_group=root',
    'check_external_commands=1',
    `command_file=${join(dir, 'nagios.cmd')}`,
    `lock_file=${join(dir, 'nagios.lock')}`,
    `temp_file=${join(dir, 'nagios.tmp')}`,
    `temp_path=${dir}`,
    `check_result_path=${join(dir, 'checkresults')}`,
    'use_syslog=0',
    'log_passive_checks=1',
    'log_external_commands=1',
    'retain_state_information=0',
    'execute_service_checks=0',
    'execute_host_checks=0',
    'accept_passive_service_checks=1',
    'accept_passive_host_checks=1',
    'enable_notifications=0',
    'enable_event_handlers=0',
    'check_service_freshness=0',
    'check_host_freshness=0',
    'check_for_updates=0',
    'enable_flap_detection=0',
    'interval_length=60',
    'illegal_macro_output_chars=`~$&|\'"<>',
    'date_format=iso8601',
    '',
  ].join('\n');
}

export function parseStatus(text: string, kind = 'servicestatus'): StatusBlock[] {
  const blocks: StatusBlock[] = [];
  let current: StatusBlock | null = null;
  for (const line of text.split('\n')) {
    if (current === null) {
      if (line.trim() === `${kind} {`) current = {};
      continue;
    }
    if (line.trim() === '}') {
      blocks.push(current);
      current = null;
      continue;
    }
    const body = line.replace(/^\t/, '');
    const eq = body.indexOf('=');
    if (eq > 0) current[body.slice(0, eq)] = body.slice(eq + 1);
  }
  return blocks;
}

export async function startNagios(opts: { services: NagiosService[] }): Promise<NagiosServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-nagios-'));
  const commandFile = join(dir, 'nagios.cmd');
  const logFile = join(dir, 'nagios.log');
  const statusFile = join(dir, 'status.dat');
  await writeFile(join(dir, 'objects.cfg'), passiveObjects(opts.services));
  await writeFile(join(dir, 'nagios.cfg'), mainConfig(dir, [join(dir, 'objects.cfg')]));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'checkresults'));

  let stderr = '';
  const child: ChildProcess = spawn(NAGIOS_BIN, [join(dir, 'nagios.cfg')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
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
      const killed = await Promise.race([exitedPromise.then(() => true), sleep(3000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready = the FIFO exists and status.dat lists our services.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`nagios4 exited during start: ${stderr.slice(-2000)}`);
    }
    const fifo = await stat(commandFile).catch(() => null);
    const status = await readFile(statusFile, 'utf8').catch(() => '');
    if (fifo?.isFIFO() && parseStatus(status).length >= opts.services.length) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nagios4 not ready after 10s: ${stderr.slice(-2000)}`);
    }
    await sleep(50);
  }

  const readStatus = async () => parseStatus(await readFile(statusFile, 'utf8').catch(() => ''));
  const serviceStatus = async (host: string, service: string) => (await readStatus()).find((b) => b.host_name === host && b.service_description === service);

  return {
    dir,
    commandFile,
    logFile,
    readStatus,
    serviceStatus,
    async waitForService(host, service, predicate, timeoutMs = 8000) {
      const until = Date.now() + timeoutMs;
      let last: StatusBlock | undefined;
      for (;;) {
        last = await serviceStatus(host, service);
        if (last && predicate(last)) return last;
        if (Date.now() > until) {
          const log = await readFile(logFile, 'utf8').catch(() => '');
          throw new Error(
            `service ${host}!${service} did not reach the expected state in ${timeoutMs}ms; last status: ${JSON.stringify(last)}\nnagios.log tail:\n${log.slice(-1500)}`,
          );
        }
        await sleep(100);
      }
    },
    readLog: () => readFile(logFile, 'utf8').catch(() => ''),
    stop,
  };
}
