// Host group membership. status.dat does not carry it; Nagios writes every object, with groups
// resolved to plain member lists, to objects.cache (nagios.cfg `object_cache_file`) at each start:
//   define hostgroup {
//   	hostgroup_name	shop-app
//   	members	app-0,app-1
//   	}
// Only the hostgroup blocks are read; the file also holds every host and service definition.

const START = 'define hostgroup {';

/** Group name → member host names, from objects.cache text (latin1, like status.dat). */
export function parseHostgroups(text: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (let at = text.indexOf(START); at !== -1; at = text.indexOf(START, at + START.length)) {
    let close = text.indexOf('\n\t}', at);
    if (close === -1) close = text.length;
    let name = '';
    let members: string[] = [];
    for (const line of text.slice(at + START.length, close).split('\n')) {
      const body = line.startsWith('\t') ? line.slice(1) : line;
      const tab = body.indexOf('\t');
      if (tab === -1) continue;
      const key = body.slice(0, tab);
      const value = Buffer.from(body.slice(tab + 1), 'latin1')
        .toString('utf8')
        .trim();
      if (key === 'hostgroup_name') name = value;
      else if (key === 'members')
        members = value
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean);
    }
    if (name) groups.set(name, members);
  }
  return groups;
}
