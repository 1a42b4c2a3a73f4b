// A throwaway Nagios 4 that checks the stack for real: active check_tcp (the "machine" is its port) and
// check_http on every member and on the load balancer, plus per member whether HAProxy has it in
// service (its exporter says state="UP"). Seconds, not minutes: interval_length=1, so check_interval 5
// is 5 s; status.dat every second; the command file open for forced re-checks.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Guardian } from './guardian.ts';
import { startChild, waitReady, type Child } from './child.ts';

export const NAGIOS_BIN = '/usr/sbin/nagios4';
export const PLUGINS = '/usr/lib/nagios/plugins';

export interface NagiosHostSpec {
  name: string;
  port: number;
  hostgroup?: string;
  /** The HAProxy backend this member serves in: adds the `LB` service (is it UP in the load balancer?). */
  backend?: string;
}

export interface NagiosLayout {
  dir: string;
  hosts: NagiosHostSpec[];
  /** HAProxy's stats frontend (its /metrics), for the `LB` services. */
  statsPort: number;
  /** Seconds between scheduled checks (interval_length is 1 s). */
  checkInterval: number;
  /** Passive-only services of a host `vigil`, for results Vigil sends (a scheduled scenario's); none by default. */
  passive?: string[];
}

export const nagiosPaths = (dir: string) => ({
  config: join(dir, 'nagios.cfg'),
  objects: join(dir, 'objects.cfg'),
  statusFile: join(dir, 'status.dat'),
  commandFile: join(dir, 'nagios.cmd'),
  objectCache: join(dir, 'objects.cache'),
  log: join(dir, 'nagios.log'),
});

/** Nagios drops privileges to nagios_user when started as root; anyone else runs it as themselves. */
function runAs(): { user: string; group: string } {
  const me = userInfo();
  let group = me.username;
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(me.gid));
    if (line) group = line.split(':')[0];
  } catch {
    // no /etc/group: keep the user name
  }
  return { user: me.username, group };
}

export function nagiosMainConfig(dir: string): string {
  const paths = nagiosPaths(dir);
  const { user, group } = runAs();
  return [
    "# Written by demo/stack (Vigil's example stack).",
    `log_file=${paths.log}`,
    `cfg_file=${paths.objects}`,
    `object_cache_file=${paths.objectCache}`,
    `precached_object_file=${join(dir, 'objects.precache')}`,
    `status_file=${paths.statusFile}`,
    'status_update_interval=1',
    `nagios_user=${user}`,
    `nagios_group=${group}`,
    'check_external_commands=1',
    `command_file=${paths.commandFile}`,
    `lock_file=${join(dir, 'nagios.lock')}`,
    `temp_file=${join(dir, 'nagios.tmp')}`,
    `temp_path=${dir}`,
    `check_result_path=${join(dir, 'checkresults')}`,
    // Every path in the temp dir: the defaults under /var/lib/nagios4 are shared with any other Nagios
    // on the machine (the query socket is how its check workers find it, and is in their command line).
    `query_socket=${join(dir, 'nagios.qh')}`,
    `state_retention_file=${join(dir, 'retention.dat')}`,
    `log_archive_path=${join(dir, 'archives')}`,
    `debug_file=${join(dir, 'nagios.debug')}`,
    'check_result_reaper_frequency=1',
    'use_syslog=0',
    'log_external_commands=1',
    'log_passive_checks=0',
    'retain_state_information=0',
    'execute_service_checks=1',
    'execute_host_checks=1',
    'accept_passive_service_checks=1',
    'accept_passive_host_checks=1',
    // One unit of check_interval is one second.
    'interval_length=1',
    // Every check runs at start instead of being spread over minutes.
    'service_inter_check_delay_method=n',
    'host_inter_check_delay_method=n',
    'auto_reschedule_checks=0',
    // A host check is run when asked, not answered from a cached result up to 15 s old.
    'cached_host_check_horizon=0',
    'cached_service_check_horizon=0',
    'enable_predictive_host_dependency_checks=0',
    'enable_predictive_service_dependency_checks=0',
    'service_check_timeout=10',
    'host_check_timeout=10',
    'enable_notifications=0',
    'enable_event_handlers=0',
    'check_service_freshness=0',
    'check_host_freshness=0',
    'check_for_updates=0',
    'enable_flap_detection=0',
    'illegal_macro_output_chars=`~$&|\'"<>',
    'date_format=iso8601',
    '',
  ].join('\n');
}

const ALWAYS = `define timeperiod {
  timeperiod_name always
  alias always
${['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => `  ${d} 00:00-24:00`).join('\n')}
}

define contact {
  contact_name stack-nobody
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period always
  service_notification_period always
  host_notification_options n
  service_notification_options n
  host_notification_commands stack-noop
  service_notification_commands stack-noop
}`;

const COMMANDS = `define command {
  command_name stack-noop
  command_line /bin/true
}

define command {
  command_name stack-check-tcp
  command_line ${PLUGINS}/check_tcp -H 127.0.0.1 -p $ARG1$ -t 5
}

define command {
  command_name stack-check-http
  command_line ${PLUGINS}/check_http -H 127.0.0.1 -p $ARG1$ -u /healthz -s ok -t 5
}

# Is the member in service at the load balancer? HAProxy's exporter has one line per server and state.
define command {
  command_name stack-check-in-lb
  command_line ${PLUGINS}/check_http -H 127.0.0.1 -p $ARG1$ -u '/metrics?scope=server' -t 5 -r '$ARG2$'
}`;

export function nagiosObjects(layout: NagiosLayout): string {
  const every = (what: 'host' | 'service') => `  check_interval ${layout.checkInterval}
  retry_interval 1
  max_check_attempts 1
  check_period always
  active_checks_enabled 1
  passive_checks_enabled 1
  contacts stack-nobody
  notification_period always
  notifications_enabled 0${what === 'service' ? '\n  check_freshness 0' : ''}`;
  const groups = [...new Set(layout.hosts.flatMap((h) => (h.hostgroup ? [h.hostgroup] : [])))];
  const blocks = [
    ALWAYS,
    COMMANDS,
    ...groups.map((g) => `define hostgroup {\n  hostgroup_name ${g}\n  alias ${g}\n}`),
    ...layout.hosts.map(
      (h) => `define host {
  host_name ${h.name}
  alias ${h.name} (127.0.0.1:${h.port})
  address 127.0.0.1
${h.hostgroup ? `  hostgroups ${h.hostgroup}\n` : ''}  check_command stack-check-tcp!${h.port}
${every('host')}
}`,
    ),
    ...layout.hosts.map(
      (h) => `define service {
  host_name ${h.name}
  service_description HTTP
  check_command stack-check-http!${h.port}
${every('service')}
}`,
    ),
    ...layout.hosts
      .filter((h) => h.backend)
      .map(
        (h) => `define service {
  host_name ${h.name}
  service_description LB
  display_name in service at the load balancer
  check_command stack-check-in-lb!${layout.statsPort}!proxy="${h.backend}",server="${h.name}",state="UP"[}] 1
${every('service')}
}`,
      ),
    ...passiveObjects(layout.passive ?? []),
  ];
  return `# Written by demo/stack (Vigil's example stack).\n\n${blocks.join('\n\n')}\n`;
}

/** A host `vigil` whose services only take passive results: no check of ours ever runs for them. */
function passiveObjects(services: string[]): string[] {
  if (!services.length) return [];
  const passive = `  max_check_attempts 1
  check_period always
  active_checks_enabled 0
  passive_checks_enabled 1
  contacts stack-nobody
  notification_period always
  notifications_enabled 0`;
  return [
    `define host {\n  host_name vigil\n  alias results Vigil sends\n  address 127.0.0.1\n${passive}\n}`,
    ...services.map(
      (service) =>
        `define service {\n  host_name vigil\n  service_description ${service}\n  check_command stack-check-tcp!1\n${passive}\n  check_freshness 0\n}`,
    ),
  ];
}

export interface StatusEntry {
  host: string;
  service?: string;
  state: number;
  checked: boolean;
  lastCheck: number;
  output: string;
}

/** The host and service blocks of a status.dat, the few fields the stack's own readiness needs. */
export function parseStatusDat(text: string): StatusEntry[] {
  const entries: StatusEntry[] = [];
  let block: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!block) {
      if (trimmed === 'hoststatus {' || trimmed === 'servicestatus {') block = {};
      continue;
    }
    if (trimmed === '}') {
      entries.push({
        host: block.host_name,
        ...(block.service_description === undefined ? {} : { service: block.service_description }),
        state: Number(block.current_state),
        checked: block.has_been_checked === '1',
        lastCheck: Number(block.last_check),
        output: block.plugin_output ?? '',
      });
      block = null;
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (eq > 0) block[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return entries;
}

export async function readNagiosStatus(dir: string): Promise<StatusEntry[]> {
  return parseStatusDat(await readFile(nagiosPaths(dir).statusFile, 'utf8').catch(() => ''));
}

export async function startNagios(layout: NagiosLayout, guardian: Guardian): Promise<Child> {
  const paths = nagiosPaths(layout.dir);
  await mkdir(join(layout.dir, 'checkresults'), { recursive: true });
  await writeFile(paths.objects, nagiosObjects(layout));
  await writeFile(paths.config, nagiosMainConfig(layout.dir));
  const child = startChild({ name: 'nagios', command: NAGIOS_BIN, args: [paths.config], cwd: layout.dir, guardian });
  const expected = layout.hosts.length * 2 + layout.hosts.filter((h) => h.backend).length;
  try {
    // Ready = the command file exists and every host and service has its first result.
    await waitReady(
      child,
      'first results of every check',
      async () => {
        if (!existsSync(paths.commandFile) || !(await stat(paths.commandFile)).isFIFO()) return false;
        // The passive services of `vigil` have no result until Vigil sends one: not waited for.
        const status = (await readNagiosStatus(layout.dir)).filter((e) => e.host !== 'vigil');
        return status.length === expected && status.every((e) => e.checked);
      },
      20_000,
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
