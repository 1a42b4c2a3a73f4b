import path from 'node:path';
import { pushToGateway, writeTextfile } from '../../exporters/prometheus/index.ts';
import { runExitCode, targetProblem } from '../../core/index.ts';
import { ConfigError, messageOf } from '../../shared/errors.ts';
import { createCliSlots } from '../cli-slots.ts';
import { orchestratorFor } from '../orchestrator-for.ts';
import { loadContext } from '../context.ts';
import { retainRuns } from '../retain-runs.ts';
import { createProgressPrinter } from '../progress.ts';
import { summarize } from '../summary.ts';

export interface RunOptions {
  config?: string;
  suite?: string;
  environment?: string;
  json?: boolean;
  /** node_exporter textfile to write after the run (overrides exporters.prometheus.textfile). */
  metricsTextfile?: string;
  /** Pushgateway base URL (overrides exporters.prometheus.pushgateway.url). */
  pushgateway?: string;
}

/** `vigil run`: one run, exit code = Nagios state, so it also works as an active check. */
export async function runCommand(opts: RunOptions): Promise<number> {
  try {
    return await runOnce(opts);
  } catch (err) {
    // A pipeline reading `--json` gets a document on every path, not an empty stdout.
    if (opts.json && err instanceof ConfigError) {
      process.stdout.write(`${JSON.stringify({ status: 'error', errorPhase: 'config', message: err.message, problems: err.problems }, null, 2)}\n`);
    }
    throw err;
  }
}

async function runOnce(opts: RunOptions): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'warn' });
  try {
    const suite = opts.suite ?? only(Object.keys(ctx.config.suites), '--suite');
    // An unknown suite is named as such below, not as a missing --environment.
    const environment = opts.environment ?? (ctx.config.suites[suite] ? only(ctx.config.suites[suite].environments, '--environment') : '');
    // A typo on the command line is not a run: refuse it before anything is recorded.
    const problem = targetProblem(ctx.config, suite, environment);
    if (problem) throw new ConfigError(problem, { where: `--suite ${suite} --environment ${environment}` });
    const controller = new AbortController();
    // First signal: interrupt the suite, still tear the tenant down and record the run.
    const onSignal = (sig: NodeJS.Signals) => {
      process.stderr.write(`vigil: ${sig} received, stopping the suite and deleting the tenant…\n`);
      controller.abort(new Error(`interrupted by ${sig}`));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const { fanOut } = ctx.exporters;
    // Results an earlier run or server could not deliver go first; per service they still go out in order.
    const retried = fanOut.retryDue().catch((err) => ctx.log.warn({ err: ctx.redact(messageOf(err)) }, 'retrying the export spool failed'));
    const orchestrator = orchestratorFor(ctx);
    process.stderr.write(`vigil: running suite ${suite} on ${environment}\n`);
    // With replicas on PostgreSQL the run takes its pair's slot cluster-wide, as a replica's does
    // (cli-slots.ts), waiting for it at most the suite's timeout (a run there ends within it).
    const slots = createCliSlots(ctx, orchestrator, { command: 'run', say: (line) => void process.stderr.write(`vigil: ${line}\n`) });
    const result = await slots.run(
      { suite, environment, signal: controller.signal, onProgress: createProgressPrinter() },
      Date.now() + ctx.config.suites[suite].timeout,
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await retried;
    // Cron-driven `vigil run` setups have no `vigil serve` to keep the store in bounds.
    await retainRuns(ctx, 'after-run');
    await writeMetrics(ctx, opts, result);
    const waiting = Object.entries(await fanOut.pending());
    if (waiting.length) {
      const list = waiting.map(([exporter, n]) => `${n} for ${exporter}`).join(', ');
      process.stderr.write(`vigil: results not delivered yet (${list}) stay in the spool; the next vigil run or vigil serve retries them\n`);
    }
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${summarize(result)}\n`);
    return runExitCode(result);
  } finally {
    await ctx.close();
  }
}

// The exit code is the run's Nagios state: a metrics way out that fails is reported, not turned into one.
async function writeMetrics(ctx: Awaited<ReturnType<typeof loadContext>>, opts: RunOptions, result: { suite: string; environment: string }) {
  const { prometheus } = ctx.exporters;
  const configured = ctx.config.exporters.prometheus;
  const textfile = opts.metricsTextfile ? path.resolve(opts.metricsTextfile) : configured.textfile;
  if (textfile) {
    try {
      await writeTextfile(prometheus, textfile);
    } catch (err) {
      process.stderr.write(`vigil: metrics textfile not written: ${ctx.redact(messageOf(err))}\n`);
    }
  }
  const gateway = opts.pushgateway ?? configured.pushgateway?.url;
  if (gateway) {
    try {
      await pushToGateway(prometheus, {
        url: gateway,
        job: configured.pushgateway?.job ?? 'vigil',
        groupings: { suite: result.suite, environment: result.environment },
      });
    } catch (err) {
      process.stderr.write(`vigil: metrics not pushed: ${ctx.redact(messageOf(err))}\n`);
    }
  }
}

function only(names: string[], flag: string): string {
  if (names.length === 1) return names[0];
  throw new ConfigError(`${flag} is required: choose one of ${names.join(', ') || '(none defined)'}`);
}
