// `vigil gate`: the step a deploy pipeline runs before switching traffic. Runs the chosen suites on one
// environment — here, or on a running `vigil serve` through its API — waits, prints each result and
// exits with the worst state. "Worst" ranks a failed app above a run that could not test it
// (passed < flaky < error < failed): when one suite proved the app broken (2), that is the answer,
// even if another could not run (3). See docs/service.md.
import { writeFile } from 'node:fs/promises';
import { createApiClient } from '../../api/client.ts';
import { exitCodeOf, runExitCode, suitesOn, type RunResult, type RunStatus } from '../../core/index.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError, VigilError, messageOf } from '../../shared/errors.ts';
import { renderAnswer } from '../../model/render-tree.ts';
import { parseSince } from '../../model/since.ts';
import type { Since } from '../../model/snapshot-types.ts';
import { runPageURL } from '../../exporters/nagios/plugin-output.ts';
import { gateJunitXml, type GateModelResult, type GateUnfinished } from '../gate-junit.ts';
import { localScenarioGate, remoteScenarioGate, type GateScenarioResult } from '../gate-scenarios.ts';
import { createCliSlots, NotRun } from '../cli-slots.ts';
import { orchestratorFor } from '../orchestrator-for.ts';
import { findConfigFile, readConfigFile, type ConfigFile } from '../../config/load-config.ts';
import { loadContext } from '../context.ts';
import { summarize } from '../summary.ts';

export interface GateOptions {
  config?: string;
  environment: string;
  suite?: string[];
  server?: string;
  token?: string;
  timeout?: string;
  /** Scheduled scenarios (scenarios.schedule) to fire after the suites and the model, judged as their passive services are. */
  scenario?: string[];
  /** A node of the service model that must be all green transitively by the same deadline. */
  model?: string;
  recheck?: boolean;
  /** With --model: only results taken after this count; default the gate's start (after the deploy). */
  since?: string;
  json?: boolean;
  /** Also write the results as JUnit XML to this file (one testcase per suite × environment). */
  junit?: string;
}

/** What `--model` found: the node's all-green answer, or why the monitoring could not be asked. */
interface ModelGate extends GateModelResult {
  answer?: unknown;
}

const SEVERITY: Record<RunStatus, number> = { passed: 0, flaky: 1, error: 2, failed: 3 };
const UNKNOWN = 3;
const POLL_MS = 1_000;
const BUSY_RETRY_MS = 2_000;

/** Exit code of a set of results: the most severe status's Nagios state; none at all is UNKNOWN. */
export function worstExitCode(statuses: RunStatus[]): 0 | 1 | 2 | 3 {
  if (statuses.length === 0) return UNKNOWN;
  const worst = statuses.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  return exitCodeOf[worst];
}

/**
 * A result's status as the gate counts it: a passed or flaky run raised by an exceeded error query
 * (core's runExitCode) counts as flaky (warning) or failed (critical), as its Nagios state does.
 */
export function gateStatus(result: RunResult | { status: RunStatus }): RunStatus {
  if (!('errorChecks' in result)) return result.status;
  const code = runExitCode(result);
  if (code === 2) return 'failed';
  return code === 1 && result.status === 'passed' ? 'flaky' : result.status;
}

/** A suite that did not finish in time, or could not be started: counted as error. */
type Unfinished = GateUnfinished;

type GateResult = RunResult | Unfinished;

export async function gateCommand(opts: GateOptions): Promise<number> {
  const timeoutMs = parseDuration(opts.timeout ?? '15m');
  if (timeoutMs === undefined || timeoutMs <= 0) throw new ConfigError(`"${opts.timeout}" is not a duration (e.g. 90s, 15m)`, { where: '--timeout' });
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  // A suite named twice runs once (on a server, a second trigger would be refused with 409).
  if (opts.suite) opts = { ...opts, suite: [...new Set(opts.suite)] };
  if (opts.scenario) opts = { ...opts, scenario: [...new Set(opts.scenario)] };
  // --scenario without --suite gates on the scenarios (and --model) only: no suite runs unasked.
  const runsSuites = opts.suite !== undefined || opts.scenario === undefined;
  // The monitoring is asked while the suites run: a new stack must be both working and seen healthy.
  // Results from before the gate started are from before the deploy it gates: they do not count.
  const since =
    opts.since === undefined ? { atMs: startedAt, what: 'the gate started' } : { atMs: parseSince(opts.since, startedAt), what: `--since ${opts.since}` };
  // Read once when both the model and the local suites come from it.
  const source = (opts.model || opts.scenario) && !opts.server ? findConfigFile({ file: opts.config }) : null;
  const document = source ? await readConfigFile(source, process.env) : undefined;
  const modelGate = opts.model ? gateOnModel(opts, opts.model, deadline, since, document) : undefined;
  const noSuites: GateRuns = { results: [], runLink: () => undefined };
  const suites = !runsSuites ? noSuites : opts.server ? await remoteGate(opts, deadline, timeoutMs) : await localGate(opts, deadline, timeoutMs, document);
  const model = await modelGate;
  // Scenarios break something on purpose: only once the suites and the model have their answer.
  const scenarios = opts.scenario ? await scenarioGate(opts, opts.scenario, deadline, document) : undefined;
  // The model and each scenario count like a suite: CRITICAL is a failure (2), not asked or not carried out an error (3).
  const statuses: RunStatus[] = [
    ...suites.results.map(gateStatus),
    ...[model, ...(scenarios ?? [])].filter((p) => p !== undefined).map((p) => MODEL_STATUS[p.exitCode] ?? 'error'),
  ];
  const code = worstExitCode(statuses);
  await report(opts, { ...suites, model, scenarios, code, startedAt });
  return code;
}

async function report(
  opts: GateOptions,
  gate: GateRuns & { model?: ModelGate; scenarios?: GateScenarioResult[]; code: number; startedAt: number },
): Promise<void> {
  const { results, model, scenarios, code, runLink } = gate;
  if (opts.junit) {
    // The exit code is the gate's verdict: a report that cannot be written is said, not turned into one.
    const elapsedMs = Date.now() - gate.startedAt;
    const xml = gateJunitXml({ environment: opts.environment, results, model, scenarios, startedAt: new Date(gate.startedAt), elapsedMs, runLink });
    await writeFile(opts.junit, xml).catch((err: unknown) => process.stderr.write(`vigil gate: JUnit XML not written to ${opts.junit}: ${messageOf(err)}\n`));
  }
  if (opts.json) {
    const json = { environment: opts.environment, exitCode: code, results, ...(model ? { model } : {}), ...(scenarios ? { scenarios } : {}) };
    return void process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }
  for (const r of results) process.stdout.write(`${'runId' in r && 'phases' in r ? summarize(r) : `ERROR ${r.suite}@${r.environment}: ${r.message}`}\n`);
  if (model) process.stdout.write(`${model.lines.join('\n')}\n`);
  for (const s of scenarios ?? []) process.stdout.write(`${s.lines.join('\n')}\n`);
  const word = ['PASSED', 'FLAKY', 'FAILED', 'ERROR'][code];
  const parts = [
    `${results.length} suite${results.length === 1 ? '' : 's'}`,
    ...(model ? [`model ${model.node}`] : []),
    ...(scenarios ?? []).map((s) => `scenario ${s.schedule}`),
  ];
  process.stdout.write(`gate ${opts.environment}: ${word} (${parts.join(' + ')}, exit ${code})\n`);
}

/** The scheduled scenarios: fired on the server and waited for, or their files run here. */
async function scenarioGate(opts: GateOptions, names: string[], deadline: number, document?: ConfigFile): Promise<GateScenarioResult[]> {
  if (!opts.server) return localScenarioGate({ ...(opts.config ? { config: opts.config } : {}), ...(document ? { document } : {}) }, names, deadline);
  const token = opts.token ?? process.env.VIGIL_API_TOKEN;
  if (!token) throw new ConfigError('--server needs the API token: set VIGIL_API_TOKEN (or --token, which shows in ps)');
  return remoteScenarioGate(createApiClient({ server: opts.server, token }), names, deadline);
}

const MODEL_STATUS: Record<number, RunStatus> = { 0: 'passed', 2: 'failed', 3: 'error' };

async function gateOnModel(opts: GateOptions, node: string, deadline: number, since: Since, document?: ConfigFile): Promise<ModelGate> {
  try {
    const { waitForModel } = await import('../../model/index.ts');
    const { code, result } = await waitForModel({
      config: opts.config,
      ...(document ? { document } : {}),
      node,
      expect: 'all-green',
      transitive: true,
      withinMs: Math.max(0, deadline - Date.now()),
      intervalMs: POLL_MS * 5,
      recheck: opts.recheck,
      since,
      who: 'vigil gate',
    });
    const when = result.answer.holds ? ` after ${(result.elapsedMs / 1000).toFixed(1)}s` : ' by the deadline';
    const lines = renderAnswer(result.answer).map((l, i) =>
      i === 0 ? `MODEL ${l.replace(/; in the way:$/, '')}${when}${result.answer.holds ? '' : '; in the way:'}` : l,
    );
    return { node, exitCode: code, holds: result.answer.holds, elapsedMs: result.elapsedMs, lines, answer: result.answer };
  } catch (err) {
    // A model that cannot be read or a node that does not exist: nothing is known of the stack's health.
    return { node, exitCode: UNKNOWN, holds: false, lines: [`MODEL ${node}: cannot ask the monitoring: ${messageOf(err)}`] };
  }
}

/** The results, and where a run's page is (a server's, or api.publicURL's), for links. */
interface GateRuns {
  results: GateResult[];
  runLink: (runId: string) => string | undefined;
}

async function localGate(opts: GateOptions, deadline: number, timeoutMs: number, document?: ConfigFile): Promise<GateRuns> {
  const ctx = await loadContext({ config: opts.config, ...(document ? { document } : {}), logLevel: process.env.VIGIL_LOG_LEVEL ?? 'warn' });
  try {
    const environment = opts.environment;
    if (!ctx.config.environments[environment]) {
      throw new ConfigError(`--environment ${environment}: no such environment (defined: ${Object.keys(ctx.config.environments).join(', ')})`);
    }
    const onEnv = suitesOn(ctx.config, environment);
    const suites = opts.suite ?? onEnv;
    for (const s of suites) {
      if (!onEnv.includes(s)) throw new ConfigError(`--suite ${s}: no suite of that name runs on ${environment} (these do: ${onEnv.join(', ') || 'none'})`);
    }
    if (suites.length === 0) throw new ConfigError(`--environment ${environment}: no suite runs on it`);
    const orchestrator = orchestratorFor(ctx);
    // With replicas on PostgreSQL each run takes its pair's slot cluster-wide, as a replica's does (cli-slots.ts).
    const slots = createCliSlots(ctx, orchestrator, { command: 'gate', say: (line) => void process.stderr.write(`vigil gate: ${line}\n`) });
    const controller = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => controller.abort(new Error(`gate interrupted by ${sig}`));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // The gate's timeout interrupts the runs in progress (their tenants are still torn down); the rest are not run.
    const timer = setTimeout(() => controller.abort(new Error(`gate timed out after ${timeoutMs / 1000}s`)), Math.max(0, deadline - Date.now()));
    const results: GateResult[] = new Array(suites.length);
    // At most api.concurrency at once, as `vigil serve` would: a deploy gate on a small box should not
    // start more browsers than serve does (default 1: one after another). Results keep the given order.
    let next = 0;
    const worker = async () => {
      while (next < suites.length) {
        const i = next++;
        const suite = suites[i];
        if (controller.signal.aborted) {
          results[i] = { suite, environment, status: 'error', message: `not run: ${messageOf(controller.signal.reason)}` };
          continue;
        }
        process.stderr.write(`vigil gate: running ${suite} on ${environment}\n`);
        try {
          results[i] = await slots.run({ suite, environment, signal: controller.signal }, deadline);
        } catch (err) {
          if (err instanceof NotRun) {
            results[i] = { suite, environment, status: 'error', message: err.message };
            continue;
          }
          // Vigil itself broke (the store, say): interrupt the other runs, which still tear their tenants down.
          controller.abort(err);
          throw err;
        }
      }
    };
    try {
      const workers = await Promise.allSettled(Array.from({ length: Math.min(ctx.config.api.concurrency, suites.length) }, worker));
      const broken = workers.find((w) => w.status === 'rejected');
      if (broken) throw broken.reason;
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const publicURL = ctx.config.api.publicURL;
    return { results, runLink: (runId) => (publicURL ? runPageURL(publicURL, runId) : undefined) };
  } finally {
    await ctx.close();
  }
}

// Printed as "vigil: <message>" with exit 3: the server's answer cannot be used, so nothing is known.
class GateHttpError extends VigilError {}

async function remoteGate(opts: GateOptions, deadline: number, timeoutMs: number): Promise<GateRuns> {
  const token = opts.token ?? process.env.VIGIL_API_TOKEN;
  if (!token) throw new ConfigError('--server needs the API token: set VIGIL_API_TOKEN (or --token, which shows in ps)');
  const environment = opts.environment;
  const api = createApiClient({ server: opts.server!, token });
  const base = api.base;
  const within = () => ({ timeoutMs: Math.max(1_000, Math.min(30_000, deadline - Date.now())) });

  let suites = opts.suite;
  if (!suites) {
    const { status, json } = await api.suites(within());
    if (status !== 200) throw new GateHttpError(`GET ${base}/api/suites answered ${status}: ${String(json.error ?? '')}`);
    suites = (json.suites as Array<{ suite: string; environment: string }>).filter((s) => s.environment === environment).map((s) => s.suite);
    if (suites.length === 0) throw new ConfigError(`--environment ${environment}: the server at ${base} runs no suite on it`);
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now()))));
  const timedOut = (suite: string, what: string, runId?: string): Unfinished => ({
    suite,
    environment,
    status: 'error',
    message: `timed out after ${timeoutMs / 1000}s ${what}`,
    ...(runId ? { runId } : {}),
  });

  async function waitFor(runId: string): Promise<RunResult | undefined> {
    while (Date.now() < deadline) {
      const { status, json } = await api.run(runId, within());
      if (status === 200 && json.state === 'finished') return json as unknown as RunResult;
      if (status !== 200) throw new GateHttpError(`GET /api/runs/${runId} answered ${status}: ${String(json.error ?? '')}`);
      await sleep(POLL_MS);
    }
    return undefined;
  }

  // Trigger all first so the server can run them within its own concurrency limit, then wait for each.
  const started: Array<{ suite: string; runId?: string; failed?: Unfinished }> = [];
  for (const suite of suites) {
    let entry: (typeof started)[number] | undefined;
    while (!entry) {
      if (Date.now() >= deadline) {
        entry = { suite, failed: timedOut(suite, 'before the run could be started') };
        break;
      }
      const { status, json } = await api.trigger({ suite, environment, wait: false }, within());
      if (status === 202) entry = { suite, runId: String(json.runId) };
      else if (status === 409 && typeof json.runId === 'string') {
        // A run that started before the deploy may test the old version: let it end, then start ours.
        process.stderr.write(`vigil gate: ${suite}@${environment} is busy (run ${json.runId}); waiting to start a fresh run\n`);
        await waitFor(json.runId);
      } else if (status === 429) await sleep(BUSY_RETRY_MS);
      else entry = { suite, failed: { suite, environment, status: 'error', message: `POST ${base}/api/runs answered ${status}: ${String(json.error ?? '')}` } };
    }
    started.push(entry);
  }
  const results: GateResult[] = [];
  for (const s of started) {
    if (s.failed) results.push(s.failed);
    else {
      process.stderr.write(`vigil gate: waiting for ${s.suite} on ${environment} (run ${s.runId})\n`);
      results.push((await waitFor(s.runId!)) ?? timedOut(s.suite, 'waiting for the run to finish (it goes on on the server)', s.runId));
    }
  }
  return { results, runLink: (runId) => runPageURL(base, runId) };
}
