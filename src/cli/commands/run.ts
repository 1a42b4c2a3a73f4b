import { createRunOrchestrator } from '../../runs/orchestrator.ts';
import { exitCodeOf } from '../../runs/run-result.ts';
import { ConfigError } from '../../shared/errors.ts';
import { loadContext } from '../context.ts';
import { createProgressPrinter } from '../progress.ts';
import { summarize } from '../summary.ts';

export interface RunOptions {
  config?: string;
  suite?: string;
  environment?: string;
  json?: boolean;
}

/** `vigil run`: one run, exit code = Nagios state, so it also works as an active check. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'warn' });
  try {
    const suite = opts.suite ?? only(Object.keys(ctx.config.suites), '--suite');
    const environment = opts.environment ?? only(ctx.config.suites[suite]?.environments ?? [], '--environment');
    // A typo on the command line is not a run: refuse it before anything is recorded.
    if (!ctx.config.suites[suite]) throw new ConfigError(`--suite ${suite}: no such suite (defined: ${Object.keys(ctx.config.suites).join(', ')})`);
    if (!ctx.config.suites[suite].environments.includes(environment)) {
      throw new ConfigError(`--environment ${environment}: suite ${suite} runs on ${ctx.config.suites[suite].environments.join(', ')}`);
    }
    const controller = new AbortController();
    // First signal: interrupt the suite, still tear the tenant down and record the run.
    const onSignal = (sig: NodeJS.Signals) => {
      process.stderr.write(`vigil: ${sig} received, stopping the suite and deleting the tenant…\n`);
      controller.abort(new Error(`interrupted by ${sig}`));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const orchestrator = createRunOrchestrator({ config: ctx.config, store: ctx.store, provisioners: ctx.provisioners, redact: ctx.redact, log: ctx.log });
    process.stderr.write(`vigil: running suite ${suite} on ${environment}\n`);
    const result = await orchestrator.run({ suite, environment, trigger: 'cli', signal: controller.signal, onProgress: createProgressPrinter() });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${summarize(result)}\n`);
    return exitCodeOf[result.status];
  } finally {
    await ctx.close();
  }
}

function only(names: string[], flag: string): string {
  if (names.length === 1) return names[0];
  throw new ConfigError(`${flag} is required: choose one of ${names.join(', ') || '(none defined)'}`);
}
