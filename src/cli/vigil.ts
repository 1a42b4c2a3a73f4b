#!/usr/bin/env node
// The command line is a contract (DESIGN.md): scripts and pipelines depend on its flags and exit codes.
// Exit codes follow Nagios: 0 OK/passed, 1 WARNING/flaky, 2 CRITICAL/failed, 3 UNKNOWN/error — a
// config or usage problem is UNKNOWN too, because nothing was tested.
import { Command, CommanderError } from 'commander';
import { describeBuild } from '../shared/build-info.ts';
import { ConfigError, VigilError, messageOf } from '../shared/errors.ts';

const UNKNOWN = 3;
// Commands are imported when chosen: `vigil run` as an active check should not pay for the server's modules.

const configOption = ['-c, --config <file>', 'config file (default: $VIGIL_CONFIG, then ./vigil.yaml, else the bundled demo)'] as const;
type SetExit = (code: number) => void;

function program(setExit: SetExit) {
  const cli = new Command('vigil')
    .description("Runs your app's own Playwright suite against a throwaway tenant, as monitoring.")
    .version(describeBuild(), '-V, --version', 'print the version (and the commit it was built from)')
    .exitOverride()
    .showHelpAfterError();
  addRunCommands(cli, setExit);
  addTenantCommands(cli, setExit);
  addModelCommands(cli, setExit);
  addScenarioCommands(cli, setExit);
  addPauseCommands(cli, setExit);
  addConfigCommands(cli, setExit);
  return cli;
}

/** `vigil run`, `serve`, `gate`, `metrics`: running suites, once or as a service. */
function addRunCommands(cli: Command, setExit: SetExit): void {
  cli
    .command('run')
    .description('run one suite once on one environment; exit code = Nagios state (0 passed, 1 flaky, 2 failed, 3 error)')
    .option(...configOption)
    .option('-s, --suite <name>', 'suite to run (optional when the config has one)')
    .option('-e, --environment <name>', 'environment to run on (optional when the suite has one)')
    .option('--json', 'print the RunResult as JSON on stdout instead of a summary')
    .option('--metrics-textfile <path>', "write Vigil's metrics for node_exporter's textfile collector after the run (*.prom, atomic)")
    .option('--pushgateway <url>', "push Vigil's metrics to a Prometheus Pushgateway after the run (grouped by suite and environment)")
    .action(async (opts) => setExit(await (await import('./commands/run.ts')).runCommand(opts)));

  cli
    .command('serve')
    .description('run the scheduler, the HTTP API and the web UI (/metrics, /healthz, /readyz, /api/runs, /); see docs/service.md')
    .option(...configOption)
    .option('--listen <host:port>', 'address for the HTTP API (default api.listen, else 127.0.0.1:9464)')
    .option('--run-now', 'run every suite once at start-up as well (default with the bundled demo)')
    .option('--replica <name>', "this replica's name among those sharing the store (default $VIGIL_REPLICA, else host:pid)")
    .option('--location <name>', 'where this replica runs its suites from, e.g. eu-west (default $VIGIL_LOCATION, else none)')
    .option('--shard <i/n>', 'a filter: run (and accept triggers for) only the suite × environment pairs share i of n (replicas on one store need none)')
    .option('--grace <duration>', 'on SIGTERM/SIGINT, how long in-flight runs may finish before they are interrupted (default api.grace, 30s)')
    .action(async (opts) => setExit(await (await import('./commands/serve.ts')).serveCommand(opts)));

  cli
    .command('gate')
    .description('deploy gate: run suites on an environment (here, or on a running vigil serve), wait, exit with the worst state')
    .option(...configOption)
    .requiredOption('-e, --environment <name>', 'environment to check, e.g. green')
    .option('-s, --suite <name...>', 'suites to run (default: every suite that runs on the environment)')
    .option('--server <url>', 'a running vigil serve to trigger the runs on (POST /api/runs) instead of running them here')
    .option('--token <token>', 'API token for --server (prefer $VIGIL_API_TOKEN: a flag shows in ps)')
    .option('--timeout <duration>', 'give up waiting after this long: exit 3', '15m')
    .option(
      '--scenario <name...>',
      'also fire these scheduled scenarios (scenarios.schedule), after the suites and the model: on --server through its API, else their files run here; without --suite, no suite runs',
    )
    .option('--model <node>', 'also wait until this node of the service model (model: in the config) is all green transitively, by the same deadline')
    .option('--recheck', "with --model: ask the monitoring to re-check the node's checks now (Nagios, Icinga 2)")
    .option(
      '--since <time>',
      'with --model: only check results taken after this count (ISO 8601, epoch seconds, or a duration ago); default: when the gate started',
    )
    .option(
      '--junit <file>',
      'also write the results as JUnit XML (one testcase per suite, failing tests with their errors and run links) for Jenkins, GitLab, GitHub Actions',
    )
    .option('--json', 'print the results as JSON on stdout')
    .action(async (opts) => setExit(await (await import('./commands/gate.ts')).gateCommand(opts)));

  cli
    .command('metrics')
    .description('serve /metrics only, restored from the store (for one-shot `vigil run` setups without `vigil serve`)')
    .option(...configOption)
    .option('--listen <host:port>', 'address to listen on; port 0 picks a free one (default 127.0.0.1:9464)')
    .action(async (opts) => setExit(await (await import('./commands/metrics.ts')).metricsCommand(opts)));
}

/** `vigil tenants list|reap`: the tenant ledger. */
function addTenantCommands(cli: Command, setExit: SetExit): void {
  const tenants = cli.command('tenants').description('the tenant ledger');
  tenants
    .command('list')
    .description('tenants Vigil created that are not destroyed yet')
    .option(...configOption)
    .option('--all', 'include destroyed tenants')
    .option('--json', 'JSON output')
    .action(async (opts) => setExit(await (await import('./commands/tenants.ts')).tenantsListCommand(opts)));
  tenants
    .command('reap')
    .description('destroy ledger tenants past their TTL, and remote prefix-matching orphans when the provisioner can list')
    .option(...configOption)
    .option('--json', 'JSON output')
    .action(async (opts) => setExit(await (await import('./commands/tenants.ts')).tenantsReapCommand(opts)));
}

/** `vigil model show|check|diff|coverage`: the service model. */
function addModelCommands(cli: Command, setExit: SetExit): void {
  const model = cli.command('model').description('the service model: ask the monitoring whether a service and its members are green (docs/model.md)');
  model
    .command('show [node]')
    .description("the model tree (or one node) with each check's state and reason")
    .option(...configOption)
    .option('--transitive', "expand members recursively (default: the node's own checks and one line per member)")
    .option('--json', 'JSON output')
    .action(async (node, opts) => setExit(await (await import('./commands/model.ts')).modelShowCommand(node, opts)));
  model
    .command('check <node>')
    .description('poll until NODE is all green / all red or the deadline passes: exit 0 holds, 2 not by the deadline, 3 cannot ask')
    .option(...configOption)
    .requiredOption('--expect <all-green|all-red>', 'what must hold')
    .option('--transitive', "include members recursively (default: the node's own checks)")
    .option('--within <duration>', 'deadline', '5m')
    .option('--interval <duration>', 'time between polls', '5s')
    .option('--recheck', 'ask Nagios to re-check the checks in scope now (needs model.sources.nagios.commandFile)')
    .option(
      '--since <time>',
      'only check results taken after this count, e.g. the end of a deploy (ISO 8601, epoch seconds, "now", or a duration ago: 5m); older ones are re-checked where the source allows it, and waited for',
    )
    .option('--json', 'JSON output')
    .action(async (node, opts) => setExit(await (await import('./commands/model.ts')).modelCheckCommand(node, opts)));
  model
    .command('diff <a> <b>')
    .description(
      "compare the shape of two config files' models, as their monitoring has them now (nodes, members, checks, check types, suites' filters): exit 0 same shape, 2 differences, 3 a side cannot be read",
    )
    .option('--node <path>', 'compare only this node and its members (a path, or a name unique in the tree)')
    .option(
      '--strip <regex>',
      'remove the environment-specific part from names before comparing (node, host and service names, queries, alert labels), e.g. "^(qa|prod)-"',
    )
    .option('--json', 'JSON output')
    .action(async (a, b, opts) => setExit(await (await import('./commands/model-diff.ts')).modelDiffCommand(a, b, opts)));
  model
    .command('coverage <node>')
    .description(
      "compare what receives traffic (the node's pool: an HAProxy backend, a command's list) with the members the monitoring checks: exit 0 covered, 2 a gap, 3 cannot ask",
    )
    .option(...configOption)
    .option('--json', 'JSON output')
    .action(async (node, opts) => setExit(await (await import('./commands/model.ts')).modelCoverageCommand(node, opts)));
}

/** `vigil scenario run`. */
function addScenarioCommands(cli: Command, setExit: SetExit): void {
  const scenario = cli.command('scenario').description('Given/When/Then scenarios over the service model (docs/scenarios.md)');
  scenario
    .command('run <files...>')
    .description('run scenario files (*.feature): exit 0 all passed, 2 a scenario failed, 3 could not be carried out')
    .option(...configOption)
    .option('--junit <file>', 'write JUnit XML (one testcase per scenario) for CI')
    .option('--json', 'print the scenario results as JSON on stdout')
    .option('--metrics-textfile <path>', "write vigil_scenario_* metrics for node_exporter's textfile collector (*.prom, atomic)")
    .action(async (files, opts) => setExit(await (await import('./commands/scenario.ts')).scenarioRunCommand(files, opts)));
}

/** `vigil pause`, `vigil resume`. */
function addPauseCommands(cli: Command, setExit: SetExit): void {
  cli
    .command('pause')
    .description('pause a suite on an environment: scheduled runs are skipped, exports say "paused" (docs/service.md)')
    .option(...configOption)
    .requiredOption('-s, --suite <name>', 'suite')
    .requiredOption('-e, --environment <name>', 'environment')
    .option('--for <duration>', 'how long, e.g. 2h')
    .option('--until <time>', 'until when (ISO 8601)')
    .option('--reason <text>', 'said in the Nagios output and the UI')
    .option('--server <url>', "a running vigil serve to pause on (POST /api/pauses, needs api.token) instead of the config's store")
    .option('--token <token>', 'API token for --server (prefer $VIGIL_API_TOKEN)')
    .option('--json', 'print the pause as JSON')
    .action(async (opts) => setExit(await (await import('./commands/pause.ts')).pauseCommand(opts)));
  cli
    .command('resume')
    .description('lift a pause set with vigil pause or the API (maintenance windows end by themselves)')
    .option(...configOption)
    .requiredOption('-s, --suite <name>', 'suite')
    .requiredOption('-e, --environment <name>', 'environment')
    .option('--server <url>', 'a running vigil serve (DELETE /api/pauses/…, needs api.token)')
    .option('--token <token>', 'API token for --server (prefer $VIGIL_API_TOKEN)')
    .option('--json', 'print the answer as JSON')
    .action(async (opts) => setExit(await (await import('./commands/pause.ts')).resumeCommand(opts)));
}

/** `vigil config check`. */
function addConfigCommands(cli: Command, setExit: SetExit): void {
  cli
    .command('config')
    .description('configuration')
    .command('check')
    .description('load and validate the config; print what it defines')
    .option(...configOption)
    .action(async (opts) => setExit(await (await import('./commands/config-check.ts')).configCheckCommand(opts)));
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : UNKNOWN;
    }
    if (err instanceof ConfigError) {
      // `where` (a flag, a file) leads each problem that does not already name it.
      const lines = err.problems.map((p) => (err.where && !p.startsWith(err.where) ? `${err.where}: ${p}` : p));
      process.stderr.write(`vigil: configuration error:\n${lines.map((p) => `  ${p}`).join('\n')}\n`);
    } else if (err instanceof VigilError) {
      process.stderr.write(`vigil: ${err.message}\n`);
    } else {
      process.stderr.write(`vigil: unexpected error: ${messageOf(err)}\n${err instanceof Error ? err.stack : ''}\n`);
    }
    return UNKNOWN;
  }
}

// Run as `node src/cli/vigil.ts`; the launcher (src/cli/vigil.js) and the compile-cache warm-up import
// this module instead, and the launcher calls main() itself.
// Exit explicitly: a provisioner module or a stray timer must not keep a finished one-shot alive.
if (import.meta.main) process.exit(await main(process.argv));
