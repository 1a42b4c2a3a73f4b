// What is still running of an example stack (demo/stack): processes in its process groups, or whose
// command line names its directory. Read from /proc, so nothing of the stack's own bookkeeping is trusted.
import { readdir, readFile } from 'node:fs/promises';
import { HAPROXY_BIN, NAGIOS_BIN, PLUGINS, PROMETHEUS_BIN } from '../../demo/stack/index.ts';
import { existsSync } from 'node:fs';
import { requireBinary } from './nagios-skip.ts';

export interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
}

export async function processesOf(groups: number[], dir: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces and parentheses): state ppid pgrp …
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const command = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      const zombie = stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      if (!zombie && (groups.includes(pgid) || command.includes(dir))) found.push({ pid: Number(entry), pgid, command });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** A skip reason (locally) or false; in CI a missing program fails the run (requireBinary). */
export function stackSkip(): string | false {
  const needs: Array<[string, string, string]> = [
    ['haproxy', HAPROXY_BIN, 'haproxy'],
    ['nagios4', NAGIOS_BIN, 'nagios4-core'],
    ['check_http', `${PLUGINS}/check_http`, 'monitoring-plugins-basic'],
    ['prometheus', PROMETHEUS_BIN, 'prometheus'],
  ];
  for (const [name, path, pkg] of needs) {
    const skip = requireBinary(name, existsSync(path), pkg);
    if (skip) return skip;
  }
  return false;
}
