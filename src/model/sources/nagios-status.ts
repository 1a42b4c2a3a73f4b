// The Nagios source: reads status.dat (and, for host group discovery, objects.cache) of a co-located
// or mounted Nagios into a snapshot. Reading never throws: a file that cannot be read, is not a
// status file, or has not been rewritten for too long makes the source `unreachable`, which every
// check from it then says.
import { dirname, join } from 'node:path';
import { messageOf } from '../../shared/errors.ts';
import type { NagiosSourceConfig } from '../../config/model-schema.ts';
import { createTextReader, type TextReader } from './file-text.ts';
import { parseHostgroups } from './nagios-objects-cache.ts';
import { parseStatusDat, type NagiosHost } from './nagios-status-parse.ts';

export type { NagiosHost, NagiosObjectStatus } from './nagios-status-parse.ts';

export interface NagiosSnapshot {
  statusFile: string;
  /** When Nagios wrote status.dat, epoch ms. */
  writtenAtMs: number;
  hosts: Map<string, NagiosHost>;
  services: number;
  /** Present when asked for; an error string when objects.cache could not be read. */
  hostgroups?: Map<string, string[]> | { error: string };
  /** From the source config: what one check_interval unit is. */
  intervalLengthMs: number;
}

export type NagiosRead = { ok: true; snapshot: NagiosSnapshot } | { ok: false; error: string };

const readText = async (reader: TextReader, path: string, what: string): Promise<string> => {
  try {
    return await reader.read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? "is not readable by Vigil's user" : `cannot be read (${messageOf(err)})`;
    throw new Error(`${what} ${path} ${why}`);
  }
};

export const defaultObjectCache = (config: NagiosSourceConfig): string => config.objectCache ?? join(dirname(config.statusFile), 'objects.cache');

export async function readNagiosStatus(
  config: NagiosSourceConfig,
  opts: { hostgroups?: boolean; nowMs?: number; reader?: TextReader } = {},
): Promise<NagiosRead> {
  const nowMs = opts.nowMs ?? Date.now();
  const reader = opts.reader ?? createTextReader();
  let parsed;
  try {
    const text = await readText(reader, config.statusFile, 'status.dat');
    parsed = parseStatusDat(text);
    if (parsed.created === 0) throw new Error(`${config.statusFile} is not a Nagios status.dat (no info block)`);
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
  const writtenAtMs = parsed.created * 1000;
  if (nowMs - writtenAtMs > config.statusMaxAgeMs) {
    const ago = Math.round((nowMs - writtenAtMs) / 1000);
    return { ok: false, error: `${config.statusFile} was last written ${ago}s ago (more than ${config.statusMaxAgeMs / 1000}s): is Nagios running?` };
  }
  const snapshot: NagiosSnapshot = {
    statusFile: config.statusFile,
    writtenAtMs,
    hosts: parsed.hosts,
    services: parsed.services,
    intervalLengthMs: config.intervalLengthMs,
  };
  if (opts.hostgroups) {
    const file = defaultObjectCache(config);
    try {
      snapshot.hostgroups = parseHostgroups(await readText(createTextReader(), file, 'objects.cache'));
    } catch (err) {
      snapshot.hostgroups = { error: `${messageOf(err)} (set sources.nagios.objectCache to nagios.cfg's object_cache_file)` };
    }
  }
  return { ok: true, snapshot };
}
