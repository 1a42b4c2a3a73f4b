// Coverage for the declared nodes that have a `pool:`: each pool read (concurrently), compared with
// the node's members in an evaluation already made. For `vigil model coverage` (one node) and `vigil
// serve` (every such node, each evaluation).
import type { Model } from '../config/model-schema.ts';
import { VigilError } from '../shared/errors.ts';
import { compareCoverage, type Coverage } from './coverage.ts';
import { findNode } from './find-node.ts';
import { poolNodes, readPool } from './pool.ts';
import type { EvaluatedNode } from './types.ts';

/** Every node with a pool; `only` (a path or unique name) narrows it to one, which must have a pool. */
export async function assessCoverage(model: Model, roots: EvaluatedNode[], only?: string): Promise<Coverage[]> {
  const pools = poolNodes(model.nodes);
  let paths = [...pools.keys()];
  if (only !== undefined) {
    const node = findNode(roots, only);
    if (!pools.has(node.path)) {
      const some = paths.length ? ` (nodes with one: ${paths.join(', ')})` : '';
      throw new VigilError(
        `node ${node.path} has no \`pool:\` — say where its traffic goes: pool: { haproxy: { socket, backend } }, pool: { command: [argv] } or pool: { prometheus: { query, label } }${some}`,
        { where: 'model' },
      );
    }
    paths = [node.path];
  }
  return Promise.all(
    paths.map(async (path) => {
      const pool = await readPool(pools.get(path)!, model.sources);
      return { ...compareCoverage(findNode(roots, path), pool), poolReadAt: new Date().toISOString() };
    }),
  );
}
