// The undo ledger in `vigil serve` (docs/scenarios.md, "SIGTERM and kill -9"): the scheduled scenarios
// owe their undos under this replica's name; a pass at start-up (before the first fire: the undos this
// replica's name left before a restart, and every expired one) and on the lease beat (expired ones, a
// failed one after its retry time) runs them through the action runner, and records the runs a killed
// process left (serve.ts hands them to the scheduled scenarios: state, passive result, counters).
// serve's /metrics says how many undos are owed and for how long the oldest has been.
import path from 'node:path';
import { Gauge, Registry } from 'prom-client';
import type { PrometheusExporter } from '../../exporters/prometheus/prometheus-exporter.ts';
import { createOwedUndos, loadScenarioConfig, replayOwedUndos, type OwedUndos, type ScenarioResult } from '../../scenarios/index.ts';
import { messageOf } from '../../shared/errors.ts';
import { oneAtATime } from '../../shared/one-at-a-time.ts';
import type { Context } from '../context.ts';

type Exposition = Pick<PrometheusExporter, 'metrics' | 'contentType' | 'metricsChunks'>;

export interface ServeUndos {
  /** Handed to the scheduled scenarios' environment. */
  owed: OwedUndos;
  /** One pass; `start-up` also takes the rows this replica's name left. Never throws. */
  replay(why: 'start-up' | 'periodic'): Promise<unknown>;
  /**
   * Where the killed runs a pass records go (the scheduled scenarios: state, passive result, counters);
   * those recorded before (the start-up pass runs before the schedule exists) go there now.
   */
  handKilledTo(take: (results: readonly ScenarioResult[]) => Promise<void>): Promise<void>;
  /** serve's /metrics plus vigil_scenario_undos_owed and the oldest one's age. */
  exposition(base: Exposition): Exposition;
  close(): void;
}

export function createServeUndos(ctx: Context, replica: string): ServeUndos {
  const { store, log, redact } = ctx;
  const owed = createOwedUndos({
    store,
    owner: replica,
    leaseMs: ctx.config.api.lease,
    redact,
    onRenewFailure: (err) =>
      log.error({ err: redact(messageOf(err)) }, 'cannot renew the leases of the undos owed; another process runs them if this lasts a lease'),
    onProgressFailure: (err) =>
      log.warn({ err: redact(messageOf(err)) }, "cannot note a scheduled scenario's step in the undo ledger (said only if the run is killed there)"),
  });
  // The bundled demo has no config file, so no actions: nothing it could replay.
  const loaded = ctx.document ? loadScenarioConfig(ctx.document) : undefined;
  if (loaded) redact.add(...loaded.secrets);
  const configDir = path.dirname(ctx.configFile ?? path.resolve(ctx.document?.source.shown ?? '.'));
  let pending: ScenarioResult[] = [];
  let take: ((results: readonly ScenarioResult[]) => Promise<void>) | undefined;
  const handOn = async (results: ScenarioResult[]) => {
    if (!take) return void pending.push(...results);
    await take(results).catch((err) => log.error({ err: redact(messageOf(err)) }, 'reporting the killed scenario runs recorded failed'));
  };
  const replay = oneAtATime(async (why: 'start-up' | 'periodic'): Promise<void> => {
    if (!loaded) return;
    try {
      const report = await replayOwedUndos(
        { store, actions: { config: loaded.config, configDir }, owner: replica, log, redact },
        { formerSelf: why === 'start-up' },
      );
      const { ran, failed, recorded } = report;
      if (ran.length || failed.length || recorded.length)
        log.info({ ran: ran.length, failed: failed.length, recorded: recorded.length }, `${why} pass over the owed undos`);
      if (recorded.length) await handOn(recorded);
    } catch (err) {
      log.error({ err: redact(messageOf(err)) }, `${why} pass over the owed undos failed`);
    }
  });
  const registry = undoRegistry(ctx);
  return {
    owed,
    replay,
    async handKilledTo(to) {
      take = to;
      const before = pending;
      pending = [];
      if (before.length) await handOn(before);
    },
    exposition: (base) => ({
      contentType: base.contentType,
      metrics: async () => `${await base.metrics()}\n${await registry.metrics()}`,
      metricsChunks: async () => [...(await base.metricsChunks()), Buffer.from(`\n${await registry.metrics()}`)],
    }),
    close: () => owed.close(),
  };
}

// Read from the store on each scrape: every replica shows the whole ledger, whichever process owes what.
function undoRegistry(ctx: Context): Registry {
  const registry = new Registry();
  let last = { count: 0, oldestSeconds: 0 };
  // Both gauges are collected at once (prom-client collects in parallel): one read per scrape serves both.
  let reading: Promise<typeof last> | undefined;
  const read = () => {
    reading ??= readLedger().finally(() => setTimeout(() => (reading = undefined), 500).unref());
    return reading;
  };
  const readLedger = async () => {
    try {
      const rows = await ctx.store.undos.list();
      const oldest = rows[0] ? (Date.now() - Date.parse(rows[0].createdAt)) / 1000 : 0;
      last = { count: rows.length, oldestSeconds: Math.max(0, oldest) };
    } catch (err) {
      ctx.log.error({ err: ctx.redact(messageOf(err)) }, 'reading the owed undos for /metrics failed');
    }
    return last;
  };
  new Gauge({
    name: 'vigil_scenario_undos_owed',
    help: "Undos scenario actions owe in the store's ledger: written before the action, removed once the undo ran (a running scenario's included).",
    registers: [registry],
    async collect() {
      this.set((await read()).count);
    },
  });
  new Gauge({
    name: 'vigil_scenario_undo_oldest_owed_seconds',
    help: 'How long the oldest owed undo has been in the ledger; 0 when none is owed.',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestSeconds);
    },
  });
  return registry;
}
