// `vigil model show|check NODE`: a node by its path (`shop/app-0`) or, when unique, by its name alone.
// Looked up in the evaluated tree, because discovered members only exist once the source was read.
import { closest } from '../config/suggest.ts';
import { VigilError } from '../shared/errors.ts';
import type { EvaluatedNode } from './types.ts';

function* walk(nodes: EvaluatedNode[]): Generator<EvaluatedNode> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.members);
  }
}

export function findNode(roots: EvaluatedNode[], ref: string): EvaluatedNode {
  const all = [...walk(roots)];
  const byPath = all.find((n) => n.path === ref);
  if (byPath) return byPath;
  const named = all.filter((n) => n.name === ref);
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    throw new VigilError(`node ${JSON.stringify(ref)} is ambiguous: ${named.map((n) => n.path).join(', ')} (give the path)`, { where: 'model' });
  }
  const guess = closest(
    ref,
    all.map((n) => n.path),
  );
  const known = roots.map((n) => n.path).join(', ');
  throw new VigilError(`no node ${JSON.stringify(ref)} in the model${guess ? ` — did you mean '${guess}'?` : ` (top-level nodes: ${known})`}`, {
    where: 'model',
  });
}
