export {
  modelSchema,
  modelEntrySchema,
  parseModel,
  type Model,
  type NodeSpec,
  type CheckSpec,
  type DiscoverSpec,
  type NagiosSourceConfig,
} from '../config/model-schema.ts';
export { evaluateModel, memberSpecsOf, type Snapshot } from './evaluate.ts';
export { discoverMembers, describeDiscovery, type Discovery } from './discover.ts';
export { allGreen, allRed, checksInScope, describeCheck } from './queries.ts';
export { combine, effectiveState } from './aggregate.ts';
export { findNode } from './find-node.ts';
export { takeSnapshot, sourcesUsed, type SnapshotDeps } from './snapshot.ts';
export { loadModel, type LoadedModel } from './load-model.ts';
export { renderTree, renderAnswer } from './render-tree.ts';
export { readNagiosStatus, type NagiosRead, type NagiosSnapshot } from './sources/nagios-status.ts';
export { resolveNagiosCheck, DEFAULT_FRESHNESS_MS } from './sources/nagios-check.ts';
export { forceNagiosRechecks } from './sources/nagios-recheck.ts';
export { readVigilRuns, resolveVigilCheck, type VigilRead, type RunLookup } from './sources/vigil-runs.ts';
export type * from './types.ts';
export { createTextReader, type TextReader } from './sources/file-text.ts';
export { judgeSince, parseSince } from './since.ts';
export type { Since } from './snapshot-types.ts';
export {
  waitUntil,
  EXPECTATIONS,
  MonitoringUnreachableError,
  type Expectation,
  type WaitDeps,
  type WaitProgress,
  type WaitRequest,
  type WaitResult,
} from './wait.ts';
export { forceRechecks, recheckProblem } from './force-rechecks.ts';
export { createModelMonitor, declaredNodes, nagiosTargets, type ModelEvaluation, type ModelMonitor } from './monitor.ts';
export { nodeCheck } from './node-check.ts';
export { MODEL_EXIT, modelStore, waitForModel, type ModelWaitOptions } from './wait-for-model.ts';
export { modelShape, countShape, type CheckKind, type CheckShape, type ModelShape, type NodeShape, type ShapeOptions } from './model-shape.ts';
export { DIFF_EXIT, diffShapes, renderDiff, type Difference, type DifferenceKind, type DiffSides } from './diff.ts';
export { readModelShape, type ShapeRead, type ReadShapeOptions } from './read-shape.ts';
export { compareCoverage, countGaps, renderCoverage, COVERAGE_EXIT, GAP_KINDS, type Coverage, type CoverageGap, type GapKind } from './coverage.ts';
export { readPool, poolNodes, describePool, type PoolRead, type PoolMember } from './pool.ts';
export { assessCoverage } from './assess-coverage.ts';
export { coverageCheck, coverageState, createCoverageSends } from './coverage-check.ts';
