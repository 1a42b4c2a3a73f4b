// The service model inside `vigil serve` (model: in the config), evaluated every model.evaluateEvery:
// its declared nodes as gauges, and as passive Nagios/Icinga services where a node names one; each
// node's coverage (`pool:`) as gauges, and as a passive service where its pool names one (sent on a
// change, else every pool.nagios.refresh). Loaded only when configured, so a serve without a model
// loads none of the sources.
import type { Context } from '../context.ts';

export async function startModelMonitor(ctx: Context) {
  const { countGaps, coverageState, createCoverageSends, createModelMonitor, declaredNodes, nagiosTargets, nodeCheck, poolNodes } = await import(
    '../../model/index.ts'
  );
  const model = await ctx.model();
  const targets = nagiosTargets(model);
  const coverageTargets = new Map([...poolNodes(model.nodes)].flatMap(([path, pool]) => (pool.nagios ? [[path, pool.nagios] as const] : [])));
  const coverageSends = createCoverageSends(coverageTargets);
  const { prometheus, fanOut } = ctx.exporters;
  const monitor = createModelMonitor({
    model,
    runs: () => ctx.store.runs,
    log: ctx.log,
    redact: ctx.redact.value,
    onEvaluated: async (evaluation) => {
      const declared = declaredNodes(evaluation.roots);
      prometheus.observeModel(
        declared.map((d) => ({ node: d.node.path, state: d.node.state, allGreenOwn: d.allGreenOwn, allGreenTransitive: d.allGreenTransitive })),
        evaluation.coverage.map((c) => ({ node: c.node, state: coverageState(c), ...(c.answer === 'cannot-ask' ? {} : { gaps: countGaps(c) }) })),
      );
      const sends = declared.flatMap((d) => {
        const target = targets.get(d.node.path);
        return target ? [fanOut.publishCheck(nodeCheck(d.node, target, evaluation.nowMs), `model-${d.node.path}-${Math.floor(evaluation.nowMs / 1000)}`)] : [];
      });
      for (const { node, check } of coverageSends(evaluation.coverage, evaluation.nowMs)) {
        sends.push(fanOut.publishCheck(check, `coverage-${node}-${check.timestamp}`));
      }
      await Promise.all(sends);
    },
  });
  monitor.start();
  ctx.log.info(
    { nodes: model.nodes.map((n) => n.name), everyMs: model.evaluateEveryMs, passive: [...targets.keys()], coverage: [...coverageTargets.keys()] },
    'service model: evaluating',
  );
  return monitor;
}
