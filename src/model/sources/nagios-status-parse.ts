// status.dat → hosts and their services. A Nagios with 50,000 services writes ~75 MB here, and most of
// its ~55 fields per block are not needed, so the parser does not walk lines: per block it jumps with
// indexOf to each wanted `\n\t<key>=` in the order Nagios writes them (a key found out of order, as
// another Nagios version may write them, is searched again from the block's start; one not in the
// block keeps its default). The text is read as latin1 (one byte per char, V8's compact strings, fast
// searches); values holding bytes ≥ 0x80 are decoded back to UTF-8 one by one.

export interface NagiosObjectStatus {
  /** 0–3 for services (OK…UNKNOWN), 0–2 for hosts (UP, DOWN, UNREACHABLE). */
  currentState: number;
  hasBeenChecked: boolean;
  /** Epoch seconds; 0 before the first result. */
  lastCheck: number;
  /** In interval_length units (minutes by default). */
  checkInterval: number;
  /** 0 active, 1 passive: how the last result came. */
  checkType: number;
  activeChecksEnabled: boolean;
  passiveChecksEnabled: boolean;
  /** Bit 2 = active checks switched at run time, 4 = passive checks switched (MODATTR_*). */
  modifiedAttributes: number;
  downtimeDepth: number;
  acknowledged: boolean;
  /** First line of the plugin output, unescaped. */
  output: string;
}

export interface NagiosHost {
  name: string;
  /** Undefined when status.dat lists services for a host it has no hoststatus block for. */
  status?: NagiosObjectStatus;
  services: Map<string, NagiosObjectStatus>;
}

export interface ParsedStatus {
  /** `info { created= }`, epoch seconds: when Nagios wrote the file. */
  created: number;
  hosts: Map<string, NagiosHost>;
  services: number;
}

// Nagios 4.4.6's order (xsddefault.c); hosts write the acknowledgement before the check switches.
const SERVICE_KEYS = [
  'host_name',
  'service_description',
  'modified_attributes',
  'check_interval',
  'has_been_checked',
  'check_type',
  'current_state',
  'plugin_output',
  'last_check',
  'active_checks_enabled',
  'passive_checks_enabled',
  'problem_has_been_acknowledged',
  'scheduled_downtime_depth',
];
const HOST_KEYS = [
  'host_name',
  'modified_attributes',
  'check_interval',
  'has_been_checked',
  'check_type',
  'current_state',
  'plugin_output',
  'last_check',
  'problem_has_been_acknowledged',
  'active_checks_enabled',
  'passive_checks_enabled',
  'scheduled_downtime_depth',
];
const needles = (keys: string[]) => keys.map((k) => [k, `\n\t${k}=`] as const);
const SERVICE_NEEDLES = needles(SERVICE_KEYS);
const HOST_NEEDLES = needles(HOST_KEYS);

const MINUS = 45;
const ZERO = 48;
const NINE = 57;

function int(text: string, from: number, to: number): number {
  let n = 0;
  let negative = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) n = n * 10 + (c - ZERO);
    else if (c === MINUS && i === from) negative = true;
    else break; // "5.000000": the integer part is all these fields need
  }
  return negative ? -n : n;
}

const HIGH_BYTE = /[\x80-\xff]/;
const latin1ToUtf8 = (value: string): string => (HIGH_BYTE.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value);
// status.dat escapes a newline as the two characters \n and a backslash as \\.
const unescapeValue = (value: string): string =>
  value.includes('\\') ? value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) : value;

const emptyStatus = (): NagiosObjectStatus => ({
  currentState: 0,
  hasBeenChecked: false,
  lastCheck: 0,
  checkInterval: 0,
  checkType: 0,
  activeChecksEnabled: false,
  passiveChecksEnabled: false,
  modifiedAttributes: 0,
  downtimeDepth: 0,
  acknowledged: false,
  output: '',
});

/**
 * Reads the wanted fields of one block (its text from the header's ` {` to before its closing `\t}`)
 * into `status`; returns host and service names. Searching inside the block's own (sliced, not copied)
 * string bounds every search, so a key another Nagios version does not write costs one block, not the file.
 */
function readBlock(block: string, keys: ReadonlyArray<readonly [string, string]>, status: NagiosObjectStatus): [string, string] {
  let host = '';
  let service = '';
  let cursor = 0;
  for (const [key, needle] of keys) {
    let at = block.indexOf(needle, cursor);
    if (at === -1) {
      at = block.indexOf(needle);
      if (at === -1) continue;
    } else cursor = at + 1;
    const from = at + needle.length;
    let to = block.indexOf('\n', from);
    if (to === -1) to = block.length;
    switch (key) {
      case 'host_name':
        host = latin1ToUtf8(block.slice(from, to));
        break;
      case 'service_description':
        service = latin1ToUtf8(block.slice(from, to));
        break;
      case 'current_state':
        status.currentState = int(block, from, to);
        break;
      case 'has_been_checked':
        status.hasBeenChecked = int(block, from, to) !== 0;
        break;
      case 'last_check':
        status.lastCheck = int(block, from, to);
        break;
      case 'check_interval':
        status.checkInterval = Number(block.slice(from, to)) || 0;
        break;
      case 'check_type':
        status.checkType = int(block, from, to);
        break;
      case 'active_checks_enabled':
        status.activeChecksEnabled = int(block, from, to) !== 0;
        break;
      case 'passive_checks_enabled':
        status.passiveChecksEnabled = int(block, from, to) !== 0;
        break;
      case 'modified_attributes':
        status.modifiedAttributes = int(block, from, to);
        break;
      case 'scheduled_downtime_depth':
        status.downtimeDepth = int(block, from, to);
        break;
      case 'problem_has_been_acknowledged':
        status.acknowledged = int(block, from, to) !== 0;
        break;
      case 'plugin_output':
        status.output = unescapeValue(latin1ToUtf8(block.slice(from, to)));
        break;
    }
  }
  return [host, service];
}

/** Parses status.dat text read as latin1. Blocks other than info, hoststatus and servicestatus are skipped. */
export function parseStatusDat(text: string): ParsedStatus {
  const hosts = new Map<string, NagiosHost>();
  const hostOf = (name: string): NagiosHost => {
    let host = hosts.get(name);
    if (!host) hosts.set(name, (host = { name, services: new Map() }));
    return host;
  };
  let created = 0;
  let services = 0;
  let pos = 0;
  for (;;) {
    const open = text.indexOf(' {\n', pos);
    if (open === -1) break;
    const lineStart = text.lastIndexOf('\n', open) + 1;
    let end = text.indexOf('\n\t}', open);
    if (end === -1) end = text.length;
    const header = open - lineStart;
    if (header === 13 && text.startsWith('servicestatus', lineStart)) {
      const status = emptyStatus();
      const [host, service] = readBlock(text.slice(open + 1, end + 1), SERVICE_NEEDLES, status);
      if (host && service) {
        hostOf(host).services.set(service, status);
        services++;
      }
    } else if (header === 10 && text.startsWith('hoststatus', lineStart)) {
      const status = emptyStatus();
      const [host] = readBlock(text.slice(open + 1, end + 1), HOST_NEEDLES, status);
      if (host) hostOf(host).status = status;
    } else if (header === 4 && text.startsWith('info', lineStart)) {
      const at = text.indexOf('\n\tcreated=', open);
      if (at !== -1 && at < end) created = int(text, at + 10, end);
    }
    pos = end + 3;
  }
  return { created, hosts, services };
}
