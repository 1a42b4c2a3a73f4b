// Scheduled scenarios inside `vigil serve` (scenarios.schedule, docs/scenarios.md "On a schedule in
// vigil serve"): every entry's feature file is read, planned and checked at start (a bad file is a
// config error naming the entry), then run on its cron through the same runScenario as `vigil scenario
// run`, its result redacted and stored as the CLI stores it. One scenario at a time in the process: a
// fire while one runs is skipped and counted ("overlap" for the same entry, "busy" for another), and so
// is one held by a pause or maintenance window on its environments ("paused"; scenario-guards.ts, which
// also checks each entry's `environments:` allow-list at start). With replicas on one store, each fire is
// taken by one replica only; it then waits for one of the suites' api.concurrency slots and for its
// environments to be free of suite runs, and holds both (shared-slots.ts). On PostgreSQL it also holds
// its entry and environments cluster-wide (scenario-holds.ts): no other replica runs the entry or starts
// a suite run there meanwhile.
// Stopping aborts the running scenario and waits, within the grace, for its cleanups (the undos): the
// member comes back before Vigil exits.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import { nanoid } from 'nanoid';
import { Counter, Gauge, Registry } from 'prom-client';
import { isProduction, type NagiosState } from '../../core/index.ts';
import type { PrometheusExporter } from '../../exporters/prometheus/prometheus-exporter.ts';
import { createTextReader } from '../../model/index.ts';
import type { RunOrchestrator } from '../../runs/orchestrator.ts';
import type { PauseState, Pauses } from '../../scheduler/pauses.ts';
import type { ClusterSlots } from '../../scheduler/scheduler.ts';
import type { ScenarioHolds } from '../../scheduler/cluster.ts';
import {
  loadScenarioConfig,
  runScenario,
  scenarioRecord,
  scenarioRegistry,
  type ScenarioEnvironment,
  type ScenarioEvent,
  type ScenarioPlan,
  type ScenarioResult,
  judgeScenario,
  scenarioCheck,
  worstJudged,
  type JudgedScenario,
} from '../../scenarios/index.ts';
import { messageOf } from '../../shared/errors.ts';
import { createStoreWrite } from '../../store/store-write.ts';
import type { Context } from '../context.ts';
import { prepareScheduledEntries } from '../scheduled-entries.ts';
import { holdingPause, suitePairs } from './scenario-guards.ts';
import type { ScenarioControl } from '../../api/scenario-control.ts';
import { createScenarioControl, type FireHow, type FireOutcome } from './scenario-control.ts';

type Exposition = Pick<PrometheusExporter, 'metrics' | 'contentType' | 'metricsChunks'>;

export interface ScenarioSchedule {
  /** The scheduled entries' names. */
  names: string[];
  /** serve's /metrics: the exporter's exposition, then vigil_scenario_* (as the CLI's textfile has them) and the skipped fires. */
  exposition(base: Exposition): Exposition;
  start(): void;
  /** No new fire; the running scenario is aborted and its cleanups waited for, at most `graceMs`. */
  stop(graceMs: number, reason: string): Promise<void>;
  /** The API's view: list the entries, fire one now (the same runner as the cron), follow a fire. */
  control: ScenarioControl;
  /**
   * Runs of a stopped process that a pass over the undo ledger recorded `interrupted`: each scheduled
   * one of this config's entries sets its state and sends its passive result (UNKNOWN), and the
   * counters are read again from the store.
   */
  killed(results: readonly ScenarioResult[]): Promise<void>;
}

interface Entry {
  name: string;
  schedule: string;
  /** The feature file, resolved against the config's folder. */
  file: string;
  plans: ScenarioPlan[];
  /** Its allow-list, and the environment its steps get (held to it). */
  environments: string[];
  env: ScenarioEnvironment;
  /** The suite × environment pairs its suite steps run (a pause on one holds the fire). */
  pairs: Array<{ suite: string; environment: string }>;
  /** The passive service its outcome goes to, when the entry names one. */
  nagios?: { host: string; service: string };
}

export interface ScheduleDeps {
  orchestrator: RunOrchestrator;
  cluster?: ClusterSlots;
  /** The suites' scheduler: a fire takes one of its api.concurrency slots for the whole scenario. */
  slots?: { waitForSlot(signal: AbortSignal, environments: readonly string[]): Promise<() => void> };
  /** Pauses and maintenance windows: one on the entry's environments holds a fire. */
  pauses?: Pick<Pauses, 'pausedNow'>;
  /** The undo ledger in the store (owed-undos.ts): each action's undo is written there before it starts. */
  undos?: ScenarioEnvironment['undos'];
  /** Replicas on PostgreSQL: the entry and its environments held cluster-wide for the whole fire (scenario-holds.ts). */
  holds?: ScenarioHolds;
}

/** Undefined when the config schedules no scenario. Throws ConfigError when an entry's file cannot be run. */
export async function prepareScenarioSchedule(ctx: Context, deps: ScheduleDeps): Promise<ScenarioSchedule | undefined> {
  if (!ctx.document) return undefined;
  const { config, secrets } = loadScenarioConfig(ctx.document);
  if (!Object.keys(config.schedule).length) return undefined;
  ctx.redact.add(...secrets);
  const planned = await prepareScheduledEntries({
    config: ctx.config,
    scenarios: config,
    configFile: ctx.configFile ?? path.resolve(ctx.document.source.shown),
    model: ctx.model,
    run: {
      waitDeps: { runs: () => ctx.store.runs, reader: createTextReader() },
      // A scenario's suite steps go through serve's orchestrator (trigger "schedule"), not its scheduler's queue.
      runSuite: (suite, environment, signal) => deps.orchestrator.run({ suite, environment, trigger: 'schedule', signal }),
      ...(deps.undos ? { undos: deps.undos } : {}),
    },
  });
  const entries: Entry[] = planned.map(({ name, entry, file, plans, env }) => ({
    name,
    schedule: entry.schedule,
    file,
    plans,
    environments: entry.environments,
    env,
    pairs: suitePairs(plans),
    ...(entry.nagios ? { nagios: entry.nagios } : {}),
  }));
  return createScenarioSchedule(ctx, entries, deps);
}

function createScenarioSchedule(ctx: Context, entries: Entry[], deps: ScheduleDeps): ScenarioSchedule {
  const { log } = ctx;
  const skipsRegistry = new Registry();
  const skips = new Counter({
    name: 'vigil_scenario_fires_skipped_total',
    help: 'Scheduled scenario fires not run: overlap (the same entry still running, here or on another replica), busy (another scenario running here, or on one of its environments on another replica, or suite runs there on another replica that did not end within 15 minutes), paused (a pause or maintenance window on its environments), store (replicas on PostgreSQL: its entry and environments could not be held in the store).',
    labelNames: ['schedule', 'reason'],
    registers: [skipsRegistry],
  });
  for (const { name } of entries) for (const reason of SKIP_REASONS) skips.inc({ schedule: name, reason }, 0);
  // The judged outcome of each entry's last fire, as its passive service has it: what alert rules page on
  // (a negative control failing as designed is 0 here, where vigil_scenario_runs_total says "failed").
  const state = new Gauge({
    name: 'vigil_scenario_state',
    help: "The last fire's outcome as a Nagios state: 0 OK (passed, or an @expected-to-fail that failed as designed), 2 CRITICAL (the monitoring did not notice, or a negative control passed), 3 UNKNOWN (could not be carried out). Absent before the first fire.",
    labelNames: ['schedule'],
    registers: [skipsRegistry],
  });
  let text = '';
  const refreshMetrics = async () => {
    try {
      text = `\n${await (await scenarioRegistry(ctx.store.scenarioRuns)).metrics()}\n${await skipsRegistry.metrics()}`;
    } catch (err) {
      log.error({ err: ctx.redact(messageOf(err)) }, 'scheduled scenarios: reading their runs for /metrics failed');
    }
  };
  const runner = createRunner(ctx, {
    onSkip: (name, reason) => skips.inc({ schedule: name, reason }),
    onJudged: (name, judged) => state.set({ schedule: name }, judged),
    onFinished: refreshMetrics,
    deps,
  });
  const tasks: ScheduledTask[] = [];
  const nextFires = new Map<string, ScheduledTask>();
  return {
    names: entries.map((e) => e.name),
    control: createScenarioControl({
      entries,
      runner,
      nextFire: (name) => nextFires.get(name)?.getNextRun() ?? undefined,
      isProduction: (environment) => isProduction(environment, ctx.config.environments[environment]),
      pausedNow: (entry) => (deps.pauses ? holdingPause(deps.pauses, entry.name, entry.environments, entry.pairs) : undefined),
      ...(deps.holds ? { heldElsewhere: (entry: Entry) => deps.holds!.heldElsewhere(entry.name, entry.environments) } : {}),
    }),
    exposition: (base) => ({
      contentType: base.contentType,
      metrics: async () => `${await base.metrics()}${text}`,
      metricsChunks: async () => [...(await base.metricsChunks()), Buffer.from(text)],
    }),
    start() {
      void refreshMetrics();
      for (const entry of entries) {
        const task = cron.schedule(entry.schedule, (context) => runner.fire(entry, context.date), {
          name: `scenario:${entry.name}`,
          timezone: ctx.config.api.timezone,
        });
        tasks.push(task);
        nextFires.set(entry.name, task);
      }
      log.warn(
        { scenarios: entries.map((e) => ({ name: e.name, schedule: e.schedule, file: e.plans[0]?.scenario.file })) },
        `${entries.length} destructive scenario(s) scheduled: their actions run for real on every fire`,
      );
    },
    async stop(graceMs, reason) {
      for (const task of tasks) await task.stop();
      await runner.stop(graceMs, reason);
    },
    async killed(results) {
      if (!results.length) return;
      await reportKilled(ctx, entries, results, (schedule, value) => state.set({ schedule }, value));
      await refreshMetrics();
    },
  };
}

/**
 * Killed runs a ledger pass recorded, as a suite run whose replica stopped is published: each of one
 * of these entries sets its state (UNKNOWN) and sends its passive result — unless a later run of the
 * scenario is stored already (another replica's next fire answered: that answer stands).
 */
async function reportKilled(ctx: Context, entries: Entry[], results: readonly ScenarioResult[], setState: (schedule: string, state: number) => void) {
  for (const result of results) {
    const entry = entries.find((e) => e.name === result.fire?.schedule);
    if (!entry || !result.fire) continue;
    const [newest] = await ctx.store.scenarioRuns.list({ scenario: result.scenario, limit: 1 });
    if (newest && newest.id !== result.id) continue;
    setState(entry.name, result.fire.state);
    if (entry.nagios) await publishOutcome(ctx, entry, [{ state: result.fire.state as NagiosState, line: result.fire.line, id: result.id }]);
  }
}

const SKIP_REASONS = ['overlap', 'busy', 'paused', 'store'] as const;
type SkipReason = (typeof SKIP_REASONS)[number];

interface RunnerHooks {
  onSkip(name: string, reason: SkipReason): void;
  /** After a fire whose scenarios all ran: the worst judged state. */
  onJudged(name: string, state: number): void;
  onFinished(): Promise<void>;
  deps: ScheduleDeps;
}

/** A pause or maintenance window holding the entry now: a cron fire is skipped, counted and logged; a manual one refused. */
function holding(ctx: Context, entry: Entry, hooks: RunnerHooks, how: FireHow): PauseState | undefined {
  const pause = hooks.deps.pauses && holdingPause(hooks.deps.pauses, entry.name, entry.environments, entry.pairs);
  if (!pause) return undefined;
  ctx.log.info(
    { schedule: entry.name, environment: pause.environment, suite: pause.suite, until: pause.until, reason: pause.reason, trigger: how.trigger },
    how.trigger === 'schedule' ? 'scheduled scenario fire skipped: paused' : 'scheduled scenario: a manual fire refused, paused',
  );
  if (how.trigger === 'schedule') hooks.onSkip(entry.name, 'paused');
  return pause;
}

/**
 * Whether a fire goes ahead, after its jitter: taken by this replica, holding one of the suites'
 * api.concurrency slots and, with replicas on PostgreSQL, its entry and environments cluster-wide —
 * the release of all it holds, or undefined when it does not run. `lost` stops it if its holds run out.
 */
async function admit(
  ctx: Context,
  entry: Entry,
  fireAt: Date,
  fire: { signal: AbortSignal; lost: () => void },
  hooks: RunnerHooks,
  how: FireHow,
): Promise<(() => Promise<void>) | undefined> {
  const { cluster, slots, holds } = hooks.deps;
  const { signal } = fire;
  // A manual fire was asked of this replica: no claim.
  if (how.trigger === 'schedule' && cluster && !(await cluster.takeFire(`scenario:${entry.name}`, 'schedule', fireAt, how.id))) return undefined;
  const asked = performance.now();
  const release = slots ? await slots.waitForSlot(signal, entry.environments).catch(() => undefined) : () => {};
  if (!release) return undefined;
  if (holds && !(await holdEverywhere(ctx, entry, fire, holds, hooks, how))) {
    release();
    return undefined;
  }
  const waitedMs = Math.round(performance.now() - asked);
  if (waitedMs >= 1_000)
    ctx.log.info(
      { schedule: entry.name, waitedMs },
      'scheduled scenario: waited for a slot of api.concurrency and for the suite runs on its environments to end',
    );
  return async () => {
    if (holds)
      await holds
        .release(how.id)
        .catch((err) =>
          ctx.log.error(
            { schedule: entry.name, err: ctx.redact(messageOf(err)) },
            'scheduled scenario: cannot release its holds in the store; their lease runs out instead',
          ),
        );
    release();
  };
}

// How often a fire holding its environments looks whether the suite runs on other replicas there have
// ended, and for how long at most (a run ends within its suite's timeout; a stalled replica's, its lease).
const SUITES_ELSEWHERE_RETRY_MS = 1_000;
const SUITES_ELSEWHERE_MAX_WAIT_MS = 15 * 60_000;

/**
 * Across replicas (docs/scenarios.md): takes the entry and its environments in the store — a fire that
 * finds the entry running on another replica is skipped as "overlap", one whose environment another
 * scenario holds as "busy" — then waits for the suite runs going there on any replica to end (none
 * starts meanwhile). False when the fire does not run; its holds are given back.
 */
async function holdEverywhere(
  ctx: Context,
  entry: Entry,
  fire: { signal: AbortSignal; lost: () => void },
  holds: ScenarioHolds,
  hooks: RunnerHooks,
  how: FireHow,
): Promise<boolean> {
  const { log } = ctx;
  try {
    const taken = await holds.hold({ fireId: how.id, entry: entry.name, environments: entry.environments }, fire.lost);
    if (!taken.ok) {
      const reason = taken.entry === entry.name ? 'overlap' : 'busy';
      log.warn(
        { schedule: entry.name, reason, running: taken.entry, holder: taken.replica, trigger: how.trigger },
        `scheduled scenario fire skipped: ${taken.entry} is running on replica ${taken.replica}`,
      );
      if (how.trigger === 'schedule') hooks.onSkip(entry.name, reason);
      return false;
    }
    for (const until = Date.now() + SUITES_ELSEWHERE_MAX_WAIT_MS; ; ) {
      const going = await holds.suiteRunsOn(entry.environments);
      if (!going.length) return true;
      if (fire.signal.aborted) break;
      if (Date.now() > until) {
        log.warn(
          { schedule: entry.name, runs: going.map((r) => `${r.suite}@${r.environment} on ${r.replica}`) },
          'scheduled scenario fire skipped: the suite runs on its environments on other replicas did not end within 15 minutes',
        );
        if (how.trigger === 'schedule') hooks.onSkip(entry.name, 'busy');
        break;
      }
      await sleep(SUITES_ELSEWHERE_RETRY_MS, undefined, { signal: fire.signal }).catch(() => undefined);
    }
  } catch (err) {
    // Without the store nothing is held: better no scenario than one breaking things under a suite run.
    log.error({ schedule: entry.name, err: ctx.redact(messageOf(err)) }, 'scheduled scenario fire skipped: cannot hold its environments in the store');
    if (how.trigger === 'schedule') hooks.onSkip(entry.name, 'store');
  }
  await holds.release(how.id).catch(() => undefined);
  return false;
}

/** Every scenario of the entry's file in turn (until stopped), each judged, stored with its fire, and logged. */
async function runPlans(ctx: Context, save: ReturnType<typeof createStoreWrite>, entry: Entry, signal: AbortSignal, how: FireHow) {
  const { log } = ctx;
  const judged: Array<JudgedScenario & { id: string }> = [];
  for (const plan of entry.plans) {
    if (signal.aborted) break;
    const onEvent = (e: ScenarioEvent) => logEvent(ctx, entry.name, plan, e);
    const ran: ScenarioResult = ctx.redact.value(
      await runScenario(plan, { env: entry.env, signal, onEvent, schedule: entry.name, fire: { trigger: how.trigger, id: how.id } }),
    );
    const verdict = judgeScenario(ran, plan.scenario);
    const result: ScenarioResult = { ...ran, fire: { schedule: entry.name, trigger: how.trigger, id: how.id, ...verdict } };
    const fields = { schedule: entry.name, scenario: result.scenario, id: result.id, status: result.status, trigger: how.trigger };
    if (result.status === 'passed') log.info(fields, 'scheduled scenario: finished');
    else log.warn(fields, `scheduled scenario: ${result.status}`);
    await save('scenario', result.id, `scenario run ${result.id} (${result.scenario} ${result.status})`, () =>
      ctx.store.scenarioRuns.save(scenarioRecord(result)),
    );
    // Recorded: its own row in the ledger goes (kept until now, a kill -9 before the save still leaves it known).
    const { undos } = entry.env;
    if (undos) await save('ledger', result.id, `the end of scenario run ${result.id} in the undo ledger`, () => undos.ended(result.id));
    judged.push({ ...verdict, id: result.id });
  }
  return judged;
}

/** One fire of an entry: its jitter, admitted, its scenarios run and stored, then judged and reported. */
async function runEntry(
  ctx: Context,
  hooks: RunnerHooks,
  save: ReturnType<typeof createStoreWrite>,
  { entry, fireAt, controller, how }: { entry: Entry; fireAt: Date; controller: AbortController; how: FireHow },
): Promise<void> {
  const { signal } = controller;
  // Asked for now (API, UI, gate) means now, and on the replica that was asked: no jitter, no claim.
  const jitter = how.trigger === 'manual' ? 0 : Math.floor(Math.random() * ctx.config.api.jitter);
  if (jitter) await sleep(jitter, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) return;
  let holdsLost = false;
  const lost = () => {
    holdsLost = true;
    controller.abort(new Error('its holds in the store ran out: suite runs may start on its environments'));
  };
  const release = await admit(ctx, entry, fireAt, { signal, lost }, hooks, how);
  if (!release) return;
  let judged: Array<JudgedScenario & { id: string }>;
  try {
    judged = await runPlans(ctx, save, entry, signal, how);
  } finally {
    await release();
  }
  // A fire cut short by a stop says nothing of the monitoring: it neither sets the state nor pages. One
  // Vigil stopped itself (its holds ran out) is UNKNOWN: its scenario was judged interrupted.
  if ((signal.aborted && !holdsLost) || !judged.length) return;
  hooks.onJudged(entry.name, worstJudged(judged)!.state);
  if (entry.nagios) await publishOutcome(ctx, entry, judged);
}

/** One scenario at a time: a fire waits out its jitter holding the slot, runs every scenario of its file, stores each result. */
function createRunner(ctx: Context, hooks: RunnerHooks) {
  const { log } = ctx;
  const save = createStoreWrite({ log, redact: ctx.redact, onFailure: (operation) => ctx.exporters.prometheus.observeStoreFailure(operation) });
  let running: { name: string; controller: AbortController; done: Promise<void>; how: FireHow } | undefined;
  let stopped = false;

  return {
    fire(entry: Entry, fireAt: Date, how: FireHow = { trigger: 'schedule', id: nanoid() }): FireOutcome {
      if (stopped) return { started: false, reason: 'stopping' };
      // Paused first: a held fire does not take the one-at-a-time place from another entry.
      const pause = holding(ctx, entry, hooks, how);
      if (pause) return { started: false, reason: 'paused', pause };
      if (running) {
        const reason = running.name === entry.name ? 'overlap' : 'busy';
        log.warn({ schedule: entry.name, reason, running: running.name }, `scheduled scenario fire skipped: ${running.name} is still running`);
        if (how.trigger === 'schedule') hooks.onSkip(entry.name, reason);
        return { started: false, reason, running: running.name, how: running.how };
      }
      const controller = new AbortController();
      const done = runEntry(ctx, hooks, save, { entry, fireAt, controller, how })
        .catch((err) => log.error({ schedule: entry.name, err: ctx.redact(messageOf(err)) }, 'scheduled scenario could not run'))
        .finally(() => {
          running = undefined;
          return hooks.onFinished();
        });
      running = { name: entry.name, controller, done, how };
      return { started: true, done };
    },
    /** The fire running now, if any. */
    current: () => (running ? { name: running.name, how: running.how } : undefined),
    async stop(graceMs: number, reason: string) {
      stopped = true;
      const current = running;
      if (!current) return;
      log.info({ schedule: current.name, graceMs }, 'scheduled scenario: stopping it; its cleanups run within the grace');
      current.controller.abort(new Error(reason));
      const timer = sleep(graceMs, 'timeout' as const, { ref: false });
      if ((await Promise.race([current.done.then(() => 'done' as const), timer])) === 'timeout') {
        log.error({ schedule: current.name, graceMs }, 'scheduled scenario: its cleanups did not finish within the grace; what it changed may be left broken');
      }
    },
  };
}

/** The entry's passive service: the worst of its scenarios, linking that scenario's run page. */
async function publishOutcome(ctx: Context, entry: Entry, judged: Array<JudgedScenario & { id: string }>): Promise<void> {
  const worst = worstJudged(judged) ?? judged[0];
  const publicURL = ctx.config.api.publicURL;
  const check = scenarioCheck(entry.name, judged, entry.nagios!, {
    nowMs: Date.now(),
    ...(publicURL ? { runURL: `${publicURL}/scenarios/${encodeURIComponent(worst.id)}` } : {}),
  });
  try {
    await ctx.exporters.fanOut.publishCheck(ctx.redact.value(check), `scenario-${entry.name}-${check.timestamp}`);
  } catch (err) {
    ctx.log.error({ schedule: entry.name, err: ctx.redact(messageOf(err)) }, 'scheduled scenario: sending its passive result failed');
  }
}

/** Started, each step (and cleanup) with its outcome: what an operator follows in serve's log. */
function logEvent(ctx: Context, schedule: string, plan: ScenarioPlan, e: ScenarioEvent): void {
  const scenario = plan.scenario.name;
  if (e.type === 'scenario') return void ctx.log.info({ schedule, scenario, file: plan.scenario.file }, 'scheduled scenario: started');
  if (e.type === 'log') return void ctx.log.debug({ schedule, scenario }, e.line);
  if (e.type === 'step-start')
    return void ctx.log.info({ schedule, scenario, step: `${e.step.keyword.trim()} ${e.step.text}`, cleanup: e.cleanup }, 'scheduled scenario: step started');
  const { keyword, text, status, durationMs, timeToDetectMs, message } = e.result;
  ctx.log.info(
    {
      schedule,
      scenario,
      step: `${keyword} ${text}`,
      cleanup: e.cleanup,
      status,
      durationMs,
      ...(timeToDetectMs !== undefined ? { timeToDetectMs } : {}),
      ...(message ? { message } : {}),
    },
    'scheduled scenario: step',
  );
}
