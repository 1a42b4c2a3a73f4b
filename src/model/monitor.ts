// The service model inside `vigil serve`: evaluated every `model.evaluateEvery` (and on demand), the
// latest evaluation kept for the API and the UI, and handed to whoever exports it (gauges, passive
// results). One evaluation at a time; a slow source delays the next tick instead of piling them up.
import type { Model, NodeSpec } from '../config/model-schema.ts';
import { assessCoverage } from './assess-coverage.ts';
import type { Coverage } from './coverage.ts';
import { poolNodes } from './pool.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import { evaluateModel } from './evaluate.ts';
import { allGreen } from './queries.ts';
import { takeSnapshot } from './snapshot.ts';
import { createTextReader } from './sources/file-text.ts';
import type { RunLookup } from './sources/vigil-runs.ts';
import type { EvaluatedNode } from './types.ts';

export interface ModelEvaluation {
  /** ISO 8601 of the snapshot. */
  at: string;
  nowMs: number;
  roots: EvaluatedNode[];
  /** Each declared node with a `pool:`: its pool against its members (empty when none has one). */
  coverage: Coverage[];
}

export interface ModelMonitorDeps {
  model: Model;
  /** Vigil's own run store, for `vigil` checks. */
  runs?: () => RunLookup | Promise<RunLookup>;
  log: Log;
  /** After each evaluation; errors are logged, never stop the monitor. */
  onEvaluated?: (evaluation: ModelEvaluation) => void | Promise<void>;
  /**
   * Applied to each evaluation before anyone sees it (API, UI, exports): a source's error may quote
   * what the model took from the environment (a token in its URL).
   */
  redact?: <T>(value: T) => T;
  now?: () => number;
}

export function createModelMonitor(deps: ModelMonitorDeps) {
  const { model, log } = deps;
  // Keeps status.dat's read buffer between evaluations (about the file's size, for the life of serve).
  const reader = createTextReader();
  let latest: ModelEvaluation | undefined;
  let running: Promise<ModelEvaluation> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const hasPools = poolNodes(model.nodes).size > 0;

  async function evaluateOnce(): Promise<ModelEvaluation> {
    const snapshot = await takeSnapshot(model, { runs: deps.runs, reader, ...(deps.now ? { now: deps.now } : {}) });
    const roots = evaluateModel(model, snapshot);
    // One runtime-API request (or one command) per node with a pool, each evaluation, as a source read.
    const coverage = hasPools ? await assessCoverage(model, roots) : [];
    const redact = deps.redact ?? (<T>(value: T) => value);
    const evaluation = { at: new Date(snapshot.nowMs).toISOString(), nowMs: snapshot.nowMs, roots: redact(roots), coverage: redact(coverage) };
    latest = evaluation;
    try {
      await deps.onEvaluated?.(evaluation);
    } catch (err) {
      log.error({ err: messageOf(err) }, 'model: exporting the evaluation failed');
    }
    return evaluation;
  }

  const evaluate = (): Promise<ModelEvaluation> => {
    running ??= evaluateOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start(): void {
      const tick = () =>
        void evaluate()
          .catch((err) => log.error({ err: messageOf(err) }, 'model: evaluation failed'))
          .finally(() => {
            if (timer !== undefined) timer = setTimeout(tick, model.evaluateEveryMs);
          });
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
    /** The last evaluation, or undefined before the first one finished. */
    latest: (): ModelEvaluation | undefined => latest,
    evaluate,
  };
}

export type ModelMonitor = ReturnType<typeof createModelMonitor>;

/** The declared (not discovered) nodes of an evaluation, with their answers: what the gauges show. */
export function declaredNodes(roots: EvaluatedNode[]): Array<{ node: EvaluatedNode; allGreenOwn: boolean; allGreenTransitive: boolean }> {
  const out: Array<{ node: EvaluatedNode; allGreenOwn: boolean; allGreenTransitive: boolean }> = [];
  const visit = (node: EvaluatedNode) => {
    if (node.discovered) return;
    out.push({ node, allGreenOwn: allGreen(node, false).holds, allGreenTransitive: allGreen(node, true).holds });
    node.members.forEach(visit);
  };
  roots.forEach(visit);
  return out;
}

/** Declared nodes that send their aggregated state to Nagios/Icinga (`nagios: { host, service }`), by path. */
export function nagiosTargets(model: Model): Map<string, { host: string; service: string }> {
  const targets = new Map<string, { host: string; service: string }>();
  const visit = (node: NodeSpec, parent: string) => {
    const path = parent ? `${parent}/${node.name}` : node.name;
    if (node.nagios) targets.set(path, node.nagios);
    for (const m of node.members.nodes) visit(m, path);
  };
  for (const n of model.nodes) visit(n, '');
  return targets;
}
