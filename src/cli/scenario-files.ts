// Running scenario files as `vigil scenario run` does (docs/scenarios.md): the model and scenarios
// config from the one loader, every scenario in turn with its progress on stderr, each result redacted
// and stored. Shared by `vigil scenario run` and `vigil gate --scenario` (a scheduled entry's file run
// here): both run it the same way.
import { hostname } from 'node:os';
import path from 'node:path';
import type { ConfigFile } from '../config/load-config.ts';
import { createTextReader, loadModel } from '../model/index.ts';
import {
  createOwedUndos,
  loadScenarioConfig,
  planScenarios,
  progressLines,
  readFeatures,
  recheckSetting,
  replayOwedUndos,
  runScenario,
  scenarioRecord,
  stepDefinitions,
  usesSuites,
  validatePlans,
  type OwedUndos,
  type ScenarioEnvironment,
  type ScenarioPlan,
  type ScenarioResult,
} from '../scenarios/index.ts';
import { messageOf } from '../shared/errors.ts';
import { parseDuration } from '../shared/duration.ts';
import { createRedactor } from '../shared/redact.ts';
import { openStore } from '../store/open-store.ts';
import { createStoreWrite } from '../store/store-write.ts';
import type { Store } from '../store/types.ts';
import { orchestratorFor } from './orchestrator-for.ts';
import { loadContext, type Context } from './context.ts';
import { suiteTargets } from './scheduled-entries.ts';
import type { HeldHere } from './entry-holds.ts';

export interface ScenarioFilesOptions {
  config?: string;
  /** The config already read (vigil gate reads it once). */
  document?: ConfigFile;
  /** Written while the store is still open: JUnit, the metrics textfile. */
  outputs?: (results: ScenarioResult[], store: Store) => Promise<void>;
  /** A scheduled entry run here (`vigil gate --scenario`) keeps the entry's rules (gate-scenarios.ts). */
  entry?: EntryRules;
}

export interface EntryRules {
  /** The environment the steps get, before they are checked: suite steps held to the entry's allow-list. */
  environment(env: ScenarioEnvironment): ScenarioEnvironment;
  /**
   * With the store open, before anything is done (owed undos included): throws to refuse the run (a
   * pause), or holds the entry and its environments across replicas (entry-holds.ts) — under `owner`,
   * this process's name in the undo ledger — until the scenarios and their cleanups are done. `say`
   * writes a line to stderr through the scenarios' redactor.
   */
  admit(plans: readonly ScenarioPlan[], store: Store, as: { owner: string; say(line: string): void }): Promise<HeldHere | undefined>;
}

/** The plans and, for each scenario run (a prefix of them when interrupted), its stored, redacted result. */
export async function runScenarioFiles(files: string[], opts: ScenarioFilesOptions = {}): Promise<{ plans: ScenarioPlan[]; results: ScenarioResult[] }> {
  const scenarios = await readFeatures(files);
  const loaded = await loadModel({ ...(opts.config ? { config: opts.config } : {}), ...(opts.document ? { document: opts.document } : {}) });
  const { config, secrets } = loadScenarioConfig(loaded.document);
  // Every output of a scenario — progress, the stored run, JUnit, --json, the summary — passes one
  // redactor: the values the model and scenarios took from the environment (an action's token in its
  // argv, a source's password), and, once a suite step loads it, everything the full config holds.
  const own = createRedactor([...loaded.secrets, ...secrets]);
  const plans = planScenarios(scenarios, await stepDefinitions(config, loaded.configFile));
  const recheck = recheckSetting(config, loaded.model);

  // Vigil's full config (suites, environments, tenants) only when a step runs a suite.
  let context: Context | undefined;
  let store: Store | undefined;
  let undos: OwedUndos | undefined;
  let held: HeldHere | undefined;
  const owner = `scenario-run@${hostname()}:${process.pid}`;
  const clean = (text: string) => own(context ? context.redact(text) : text);
  const cleanValue = <T>(value: T): T => own.value(context ? context.redact.value(value) : value);
  const write = (lines: string[]) => lines.length && process.stderr.write(`${lines.map(clean).join('\n')}\n`);
  try {
    if (usesSuites(plans)) {
      context = await loadContext({ document: loaded.document, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'warn' });
      store = context.store;
    } else {
      store = await openStore(loaded.storePath);
    }
    const base: ScenarioEnvironment = {
      model: loaded.model,
      config,
      configDir: path.dirname(loaded.configFile),
      recheck,
      waitDeps: { runs: () => store!.runs, reader: createTextReader() },
      ...(context ? suiteRunner(context) : {}),
    };
    const env = opts.entry ? opts.entry.environment(base) : base;
    validatePlans(plans, env);
    held = await opts.entry?.admit(plans, store, { owner, say: (line) => void write([line]) });
    undos = await payOwedUndos(env, store, { owner, write, clean, leaseMs: leaseOf(loaded.document) });
    env.undos = undos;

    const saveRun = createStoreWrite({
      log: { error: (fields, message) => void write([`vigil scenario: ${message}: ${fields.err}`]) },
      redact: clean,
      onFailure: (operation) => context?.exporters.prometheus.observeStoreFailure(operation),
    });
    // A store that cannot keep it (full disk) loses only the stored copy: the result is still in
    // the JUnit file, --json and the summary, and the next scenarios still run.
    const save = async (result: ScenarioResult) => {
      await saveRun(
        'scenario',
        result.id,
        `scenario run ${result.id} (${result.scenario} ${result.status}); its result is still in this command's output`,
        () => store!.scenarioRuns.save(scenarioRecord(result)),
      );
      // Recorded (or said why not): the run's own row in the ledger goes, so no pass records it again.
      await saveRun('ledger', result.id, `the end of scenario run ${result.id} in the undo ledger`, () => undos!.ended(result.id));
    };
    const results = await runPlans(plans, env, { write, cleanValue, save, ...(held ? { stop: held.signal, schedule: held.entry } : {}) });
    await opts.outputs?.(results, store);
    return { plans, results };
  } finally {
    // The scenarios and their cleanups are done (or never started): suite runs may start there again.
    await held
      ?.release()
      .catch((err: unknown) => write([`vigil scenario: cannot give back its holds in the store (they run out with their lease): ${clean(messageOf(err))}`]));
    undos?.close();
    if (context) await context.close();
    else await store?.close();
  }
}

/**
 * The scenarios one after the other. SIGINT/SIGTERM stop them: the running scenario's cleanups still
 * run, the next ones do not start.
 */
async function runPlans(
  plans: ReturnType<typeof planScenarios>,
  env: ScenarioEnvironment,
  io: {
    write: (lines: string[]) => unknown;
    cleanValue: <T>(value: T) => T;
    save: (result: ScenarioResult) => Promise<unknown>;
    /** Stops them too (the entry's holds ran out): as a signal does. */
    stop?: AbortSignal;
    /** The scheduled entry held for them (entry-holds.ts): their rows in the undo ledger carry its name. */
    schedule?: string;
  },
): Promise<ScenarioResult[]> {
  const controller = new AbortController();
  const signal = io.stop ? AbortSignal.any([controller.signal, io.stop]) : controller.signal;
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`vigil scenario: ${sig} received, stopping and running the cleanups…\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: ScenarioResult[] = [];
  try {
    for (const plan of plans) {
      if (signal.aborted) break;
      const result = io.cleanValue(
        await runScenario(plan, { env, signal, onEvent: (e) => io.write(progressLines(e)), ...(io.schedule ? { schedule: io.schedule } : {}) }),
      );
      await io.save(result);
      results.push(result);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return results;
}

function suiteRunner(ctx: Context): Pick<ScenarioEnvironment, 'runSuite' | 'suiteTargets'> {
  const orchestrator = orchestratorFor(ctx);
  return {
    suiteTargets: suiteTargets(ctx.config),
    runSuite: (suite, environment, signal) => orchestrator.run({ suite, environment, trigger: 'cli', signal }),
  };
}

/**
 * The undo ledger for this run (docs/scenarios.md, "SIGTERM and kill -9"): first the undos a killed
 * process left whose lease ran out (a `vigil scenario run` killed with -9, a replica gone), and the
 * runs it left recorded `interrupted`; then this process's own rows (each run's, each undo's), under a
 * name of its own so that no other process takes them while it runs.
 */
async function payOwedUndos(
  env: ScenarioEnvironment,
  store: Store,
  io: { owner: string; write: (lines: string[]) => unknown; clean: (text: string) => string; leaseMs?: number },
): Promise<OwedUndos> {
  const { owner } = io;
  const say = (fields: object, message: string) => {
    const err = (fields as { err?: string }).err;
    io.write([`vigil scenario: ${message}${err ? `: ${err}` : ''}`]);
  };
  // A killed scheduled run is left for serve to record: it has the entry's passive service to tell.
  await replayOwedUndos({ store, actions: env, owner, log: { info: say, error: say }, redact: io.clean }, { scheduledRuns: false }).catch((err) =>
    say({ err: io.clean(messageOf(err)) }, 'the pass over the owed undos failed'),
  );
  return createOwedUndos({
    store,
    owner,
    ...(io.leaseMs ? { leaseMs: io.leaseMs } : {}),
    redact: io.clean,
    onRenewFailure: (err) => say({ err: io.clean(messageOf(err)) }, 'cannot renew the leases of the undos owed'),
    onProgressFailure: (err) => say({ err: io.clean(messageOf(err)) }, 'cannot note the step started in the ledger'),
  });
}

// The file's api.lease, as serve takes it; a value serve would refuse (it names it) is not used here.
function leaseOf(document: ConfigFile): number | undefined {
  const lease = (document.section('api').value as { lease?: unknown } | undefined)?.lease;
  const ms = typeof lease === 'string' || typeof lease === 'number' ? parseDuration(lease) : undefined;
  return ms !== undefined && ms >= 10_000 && ms <= 300_000 ? ms : undefined;
}
