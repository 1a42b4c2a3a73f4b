// `vigil model diff --node REF`: the subtree to compare on each side, found as `model show NODE` finds
// a node — a path (`shop/app-0`) or a name unique in the tree, as the model names it (before --strip).
import { closest } from '../config/suggest.ts';
import { VigilError } from '../shared/errors.ts';
import type { NodeShape } from './model-shape.ts';

export interface FoundShape {
  node: NodeShape;
  /** The path of its parent with the names as compared (after --strip); '' for a top-level node. */
  parent: string;
}

function* walk(nodes: NodeShape[], shown: string, compared: string): Generator<FoundShape & { path: string }> {
  for (const node of nodes) {
    yield { node, parent: compared, path: shown ? `${shown}/${node.shown}` : node.shown };
    yield* walk(node.members, shown ? `${shown}/${node.shown}` : node.shown, compared ? `${compared}/${node.name}` : node.name);
  }
}

export function findNodeShape(roots: NodeShape[], ref: string): FoundShape {
  const all = [...walk(roots, '', '')];
  const byPath = all.find((n) => n.path === ref);
  if (byPath) return byPath;
  const named = all.filter((n) => n.node.shown === ref);
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new VigilError(`node ${JSON.stringify(ref)} is ambiguous: ${named.map((n) => n.path).join(', ')} (give the path)`);
  const guess = closest(
    ref,
    all.map((n) => n.path),
  );
  throw new VigilError(`no node ${JSON.stringify(ref)} in the model${guess ? ` — did you mean '${guess}'?` : ''}`);
}
