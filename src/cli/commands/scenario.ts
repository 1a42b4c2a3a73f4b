// `vigil scenario run FILE…` (docs/scenarios.md): Given/When/Then over the service model. Progress on
// stderr, a summary (or --json) on stdout, JUnit XML for CI, every scenario stored and its metrics
// written to a node_exporter textfile. Exit 0 all passed, 2 a scenario failed, 3 Vigil could not
// carry one out (a bad file or config, a source unreachable before anything was changed, an interrupt).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exitCodeOf, junitXml, ScenarioFileError, summaryLines, writeScenarioTextfile, type ScenarioResult } from '../../scenarios/index.ts';
import { messageOf } from '../../shared/errors.ts';
import type { Store } from '../../store/types.ts';
import { runScenarioFiles } from '../scenario-files.ts';

const RUNNER_ERROR = 3;

export interface ScenarioRunOptions {
  config?: string;
  junit?: string;
  json?: boolean;
  metricsTextfile?: string;
}

export async function scenarioRunCommand(files: string[], opts: ScenarioRunOptions): Promise<number> {
  try {
    return await runScenarios(files, opts);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    process.stderr.write(
      `vigil scenario: cannot run ${err.problems.length === 1 ? 'this scenario file' : 'these scenario files'}:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
    return RUNNER_ERROR;
  }
}

async function runScenarios(files: string[], opts: ScenarioRunOptions): Promise<number> {
  const { results } = await runScenarioFiles(files, {
    ...(opts.config ? { config: opts.config } : {}),
    outputs: (results, store) => writeOutputs(results, store, opts),
  });
  process.stdout.write(
    opts.json ? `${JSON.stringify({ exitCode: exitCodeOf(results), scenarios: results }, null, 2)}\n` : `${summaryLines(results).join('\n')}\n`,
  );
  return exitCodeOf(results);
}

// The exit code is the scenarios' verdict: a report that cannot be written is said, not turned into one.
async function writeOutputs(results: ScenarioResult[], store: Store, opts: ScenarioRunOptions): Promise<void> {
  if (opts.junit) {
    try {
      await writeFile(opts.junit, junitXml(results));
    } catch (err) {
      process.stderr.write(`vigil scenario: JUnit XML not written: ${messageOf(err)}\n`);
    }
  }
  if (opts.metricsTextfile) {
    try {
      await writeScenarioTextfile(store.scenarioRuns, path.resolve(opts.metricsTextfile));
    } catch (err) {
      process.stderr.write(`vigil scenario: metrics textfile not written: ${messageOf(err)}\n`);
    }
  }
}
