// One side of `vigil model diff`: a config file's model, read from its monitoring now (members are the
// ones that exist now), reduced to its shape. The side's own secrets are masked in the shape and in
// whatever it says when it cannot be read. Vigil's store is not opened: a recorded run is state.
import { suiteFiltersSchema, type SuiteFilters } from '../config/schema.ts';
import { formatIssues } from '../config/format-issues.ts';
import { messageOf } from '../shared/errors.ts';
import { createRedactor } from '../shared/redact.ts';
import { loadModel } from './load-model.ts';
import { modelShape, type NodeShape } from './model-shape.ts';
import { takeSnapshot } from './snapshot.ts';
import { createTextReader } from './sources/file-text.ts';
import { findNodeShape } from './find-node-shape.ts';

/** `parent`: with --node, the compared path of the node's parent ('' for the whole model or a top-level node). */
export type ShapeRead = { ok: true; nodes: NodeShape[]; parent: string } | { ok: false; error: string };

export interface ReadShapeOptions {
  strip?: RegExp;
  /** Compare only this node (a path or a name unique in the tree, as the model names it). */
  node?: string;
  env?: NodeJS.ProcessEnv;
}

// The most a side says about why it cannot be read: the first few, then how many more.
const SHOWN_PROBLEMS = 3;

function listProblems(problems: string[]): string {
  const more = problems.length > SHOWN_PROBLEMS ? `; … (${problems.length - SHOWN_PROBLEMS} more)` : '';
  return `${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}`;
}

export async function readModelShape(config: string, o: ReadShapeOptions = {}): Promise<ShapeRead> {
  const redact = createRedactor();
  try {
    const loaded = await loadModel({ config, env: o.env });
    redact.add(...loaded.secrets);
    const section = loaded.document.section('suites');
    redact.add(...section.secrets);
    let suites: SuiteFilters | null = null;
    if (section.value !== undefined && section.value !== null) {
      const parsed = suiteFiltersSchema.safeParse(section.value, { reportInput: true });
      if (!parsed.success)
        return {
          ok: false,
          error: redact(
            formatIssues(parsed.error.issues)
              .map((p) => `suites.${p}`)
              .join('; '),
          ),
        };
      suites = parsed.data;
    }
    const snapshot = await takeSnapshot(loaded.model, { reader: createTextReader() });
    const shape = modelShape(loaded.model, snapshot, { strip: o.strip, suites });
    if (shape.unreadable.length) return { ok: false, error: redact(`the monitoring cannot be read: ${listProblems(shape.unreadable)}`) };
    const nodes = redact.value(shape.nodes);
    if (o.node === undefined) return { ok: true, nodes, parent: '' };
    const found = findNodeShape(nodes, o.node);
    return { ok: true, nodes: [found.node], parent: found.parent };
  } catch (err) {
    return { ok: false, error: redact(messageOf(err)) };
  }
}
