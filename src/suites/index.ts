export { runSuite } from './run-suite.ts';
export { pruneArtifacts } from './artifacts.ts';
export { scrubArtifacts, scrubKeptArtifacts, type ScrubReport } from './scrub-artifacts.ts';
export type { RunSuiteOptions, SuiteBrowser, SuiteEvent, SuiteOutcome, SuiteOutcomeKind, TestOutcome } from './types.ts';
