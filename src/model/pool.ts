// What receives traffic for a node (`pool:` in the model): the servers of an HAProxy backend, the
// names a command prints, or the values of a label in a Prometheus answer. Read here, compared with the monitoring in coverage.ts. A pool that cannot be
// read does not throw: the read says why, and coverage answers "cannot ask" naming it.
import type { Model, NodeSpec, PoolRename, PoolSpec } from '../config/model-schema.ts';
import { messageOf } from '../shared/errors.ts';
import { readHaproxyBackend } from './sources/haproxy-runtime.ts';
import { readPoolCommand } from './sources/pool-command.ts';
import { readPoolPrometheus } from './sources/pool-prometheus.ts';

export interface PoolMember {
  /** The name the model's members are matched on (after `rename`). */
  member: string;
  /** The name in the pool: the HAProxy server, the command's line. */
  server: string;
  /** HAProxy: UP, DOWN, MAINT, DRAIN …; Prometheus: the series' `state` label; else (a command) `listed`. */
  state: string;
}

export type PoolRead = { ok: true; where: string; members: PoolMember[] } | { ok: false; where: string; error: string };

export function describePool(spec: PoolSpec): string {
  if (spec.source === 'haproxy') return `HAProxy backend ${spec.backend} (runtime API ${spec.socket})`;
  if (spec.source === 'prometheus') return `Prometheus ${spec.query} (label ${spec.label})`;
  return `command ${spec.command.join(' ')}`;
}

export function renamer(rename: PoolRename | undefined): (name: string) => string {
  if (!rename) return (name) => name;
  const pattern = new RegExp(rename.match);
  return (name) => name.replace(pattern, rename.to);
}

function readServers(spec: PoolSpec, sources: Model['sources']) {
  if (spec.source === 'haproxy') return readHaproxyBackend(spec);
  if (spec.source === 'command') return readPoolCommand(spec);
  // parseModel refuses a prometheus pool without sources.prometheus; a hand-made spec may lack it.
  if (!sources.prometheus) throw new Error('no Prometheus is configured (model.sources.prometheus)');
  return readPoolPrometheus(sources.prometheus, spec);
}

/** `sources`: the model's, for a pool read from Prometheus (its URL and timeout). */
export async function readPool(spec: PoolSpec, sources: Model['sources'] = {}): Promise<PoolRead> {
  const where = describePool(spec);
  try {
    const servers = await readServers(spec, sources);
    const rename = renamer(spec.rename);
    return { ok: true, where, members: servers.map((s) => ({ member: rename(s.name), server: s.name, state: s.state })) };
  } catch (err) {
    return { ok: false, where, error: messageOf(err) };
  }
}

/** Declared nodes with a `pool:`, by path (pools belong to the config's nodes, never to discovered ones). */
export function poolNodes(nodes: NodeSpec[], parent = ''): Map<string, PoolSpec> {
  const pools = new Map<string, PoolSpec>();
  for (const node of nodes) {
    const path = parent ? `${parent}/${node.name}` : node.name;
    if (node.pool) pools.set(path, node.pool);
    for (const [p, spec] of poolNodes(node.members.nodes, path)) pools.set(p, spec);
  }
  return pools;
}
