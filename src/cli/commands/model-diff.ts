// `vigil model diff A B`: two config files' models, each read from its own monitoring now, compared in
// shape — nodes, members, checks, check types, suites' filters (docs/model.md, "Twin environments").
// Exit 0 same shape, 2 differences, 3 a side cannot be read (each named, with why).
import { DIFF_EXIT, diffShapes, readModelShape, renderDiff } from '../../model/index.ts';
import { ConfigError } from '../../shared/errors.ts';

export interface ModelDiffOptions {
  node?: string;
  strip?: string;
  json?: boolean;
}

function stripOption(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text, 'g');
  } catch (err) {
    throw new ConfigError(`${JSON.stringify(text)} is not a regular expression: ${(err as Error).message}`, { where: '--strip' });
  }
}

export async function modelDiffCommand(a: string, b: string, opts: ModelDiffOptions): Promise<number> {
  const strip = stripOption(opts.strip);
  const sides = { a, b };
  // Both sides at once: a slow source on one does not delay reading the other.
  const [readA, readB] = await Promise.all([a, b].map((config) => readModelShape(config, { strip, node: opts.node })));
  const unreadable = [...(readA.ok ? [] : [{ side: 'a', config: a, error: readA.error }]), ...(readB.ok ? [] : [{ side: 'b', config: b, error: readB.error }])];
  if (!readA.ok || !readB.ok) {
    for (const u of unreadable) process.stderr.write(`vigil model diff: cannot read ${u.config}: ${u.error}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ exitCode: DIFF_EXIT.cannotRead, unreadable }, null, 2)}\n`);
    return DIFF_EXIT.cannotRead;
  }
  const differences = diffShapes(readA.nodes, readB.nodes, sides, readA.parent);
  const code = differences.length ? DIFF_EXIT.differ : DIFF_EXIT.same;
  if (opts.json) {
    const json = { exitCode: code, same: !differences.length, a, b, differences, shapes: { a: readA.nodes, b: readB.nodes } };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderDiff(differences, sides, { a: readA.nodes, b: readB.nodes }).join('\n')}\n`);
  }
  return code;
}
