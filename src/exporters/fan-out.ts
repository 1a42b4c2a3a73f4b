// Every RunResult goes to Prometheus (in process, never spooled) and to each Nagios transport at once.
// Transports are independent: each attempt has its own timeout, so one that fails or hangs never holds
// up another (delivery.ts). What a transport could not take goes to the spool in the store (rendered and
// redacted already) and is retried with exponential backoff, by this process or the next one after a
// restart (spool-retry.ts). The first attempt of each transport is first-delivery.ts; this file decides
// what is sent, to whom, and keeps the work in flight for close().
import { judgeLocations, locationRuleOf, type RunResult } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { Store } from '../store/types.ts';
import { createStoreWrite } from '../store/store-write.ts';
import { namingFor, type NamingConfig } from './check-naming.ts';
import { backoffMs, createDelivery } from './delivery.ts';
import { buildCheckResult, buildLocatedCheckResult, type CheckResult, type Transport } from './nagios/index.ts';
import { buildPausedCheck, type PausedCheckKind, type PausedPair } from './nagios/paused-check.ts';
import type { PrometheusExporter } from './prometheus/index.ts';
import { createFirstDelivery, storeRead, type SendFresh } from './first-delivery.ts';
import { createSpoolRetry, emptyRetrySummary, type RetrySummary } from './spool-retry.ts';

export type { RetrySummary } from './spool-retry.ts';

export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 10 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;
const DEFAULT_MAX_ATTEMPTS = 200;

export interface FanOutConfig extends NamingConfig {
  /** A suite with `locations` sends the pair's state judged from every location's newest run (core/locations.ts). */
  suites?: Record<
    string,
    NonNullable<NamingConfig['suites']>[string] & { locations?: readonly string[]; minFailedLocations?: number; locationStaleAfter?: number }
  >;
  exporters?: NamingConfig['exporters'] & {
    nagios?: { timeout?: number; paused?: 'ok' | 'downtime' };
    spool?: { maxAge?: number; maxAttempts?: number };
  };
}

export interface ExportFanOutDeps {
  /** `runs`: to hand over runs a killed process saved but never published (optional: tests without a run store). */
  store: Pick<Store, 'spool'> & {
    runs?: Pick<Store['runs'], 'notHandedOver' | 'handedOver' | 'claimHandOver'> & Partial<Pick<Store['runs'], 'lastByLocation'>>;
  };
  prometheus?: Pick<PrometheusExporter, 'publish' | 'observeDelivery' | 'observeSpool' | 'observeDrop'> &
    Partial<Pick<PrometheusExporter, 'observeStoreFailure'>>;
  transports: Transport[];
  /** The loaded VigilConfig (naming, per-transport timeout, spool limits). */
  config: FanOutConfig;
  log: Log;
  clock?: () => Date;
  /** Applied to every error message before it is logged or stored. */
  redact?: (text: string) => string;
  /** Backoff: base × 2^(attempts − 1), capped at max. */
  retry?: { baseMs?: number; maxMs?: number };
}

export interface ExportFanOut {
  /** Never throws: a failed delivery is spooled, logged and counted. */
  publish(result: RunResult): Promise<void>;
  /** A paused pair's state for the Nagios transports (paused-check.ts); spooled like a result. */
  publishPause(pause: PausedPair, kind: PausedCheckKind): Promise<void>;
  /**
   * A check Vigil built itself (a model node's aggregated state) to every Nagios transport, spooled
   * and ordered like a run's result; `id` stands for the run id in the spool and the logs.
   */
  publishCheck(check: CheckResult, id: string): Promise<void>;
  /** Resends spooled results that are due; overlapping calls share one pass. */
  retryDue(): Promise<RetrySummary>;
  /** Spooled results per exporter. */
  pending(): Promise<Record<string, number>>;
  /** Stops taking work and waits for attempts in flight (each bounded by its timeout). */
  close(): Promise<void>;
}

export function createExportFanOut(deps: ExportFanOutDeps): ExportFanOut {
  const { store, prometheus, transports, config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const redact = deps.redact ?? ((text: string) => text);
  const { timeoutMs, backoff, maxAgeMs, maxAttempts } = settingsOf(deps);
  const delivery = createDelivery({ store, timeoutMs, redact, clock });
  const retryPass = createSpoolRetry({ store, prometheus, transports, delivery, log, clock, backoff, maxAgeMs, maxAttempts, claimMs: timeoutMs + 5_000 });
  const storeWrite = createStoreWrite({ log, redact, onFailure: (operation) => prometheus?.observeStoreFailure?.(operation) });
  const sendFresh = createFirstDelivery({ store, prometheus, delivery, storeWrite, log, clock, backoff });
  const parts: FanOutParts = { store, prometheus, transports, config, log, clock, redact, timeoutMs, sendFresh };
  const inFlight = createInFlight();
  let retrying: Promise<RetrySummary> | undefined;
  let closed = false;

  async function publish(result: RunResult, opts: { prometheus?: boolean } = {}): Promise<void> {
    if (closed) {
      log.warn({ runId: result.runId }, 'export: fan-out closed; result not published');
      return;
    }
    await inFlight.track(sendResult(parts, result, opts.prometheus === false ? undefined : prometheus));
  }

  async function publishPause(pause: PausedPair, kind: PausedCheckKind): Promise<void> {
    if (closed || transports.length === 0) return;
    const check = pauseCheck(parts, pause, kind);
    // Not a run: the spool and the ordering guard key it by this id instead.
    if (check) await publishCheck(check, `${kind}-${check.timestamp}`);
  }

  async function publishCheck(check: CheckResult, id: string): Promise<void> {
    if (closed || transports.length === 0) return;
    await inFlight.track(Promise.all(transports.map((t) => sendFresh(t, check, id))).then(() => {}));
  }

  return {
    publish,
    publishPause,
    publishCheck,

    retryDue() {
      if (closed) return Promise.resolve(emptyRetrySummary());
      retrying ??= inFlight.track(handOverLeftovers(parts, publish).then(retryPass)).finally(() => {
        retrying = undefined;
      });
      return retrying;
    },

    pending: () => store.spool.counts(),

    async close() {
      closed = true;
      await inFlight.settled();
    },
  };
}

/** The config's and the deps' limits, with their defaults. */
function settingsOf(deps: ExportFanOutDeps) {
  const { config } = deps;
  const baseMs = deps.retry?.baseMs ?? RETRY_BASE_MS;
  const maxMs = deps.retry?.maxMs ?? RETRY_MAX_MS;
  return {
    timeoutMs: config.exporters?.nagios?.timeout ?? DEFAULT_TIMEOUT_MS,
    backoff: (attempts: number) => backoffMs(attempts, baseMs, maxMs),
    maxAgeMs: config.exporters?.spool?.maxAge ?? DEFAULT_MAX_AGE_MS,
    maxAttempts: config.exporters?.spool?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
}

/** What the fan-out's steps below share, resolved once. */
interface FanOutParts extends Pick<ExportFanOutDeps, 'store' | 'prometheus' | 'transports' | 'config' | 'log'> {
  clock: () => Date;
  redact: (text: string) => string;
  timeoutMs: number;
  sendFresh: SendFresh;
}

/** Work in flight, so close() can wait for it. */
function createInFlight() {
  const inFlight = new Set<Promise<unknown>>();
  return {
    track<T>(p: Promise<T>): Promise<T> {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => {});
      return p;
    },
    settled: () => Promise.allSettled([...inFlight]),
  };
}

/** One result to Prometheus (unless `prom` is left out) and to every transport at once. */
async function sendResult(parts: FanOutParts, result: RunResult, prom: FanOutParts['prometheus']): Promise<void> {
  const { prometheus, transports, log, redact, sendFresh } = parts;
  const published = prom
    ?.publish(result)
    .catch((err) => log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'export: prometheus could not take the result'));
  if (transports.length === 0) return void (await published);
  let check: CheckResult;
  try {
    check = await checkFor(parts, result);
  } catch (err) {
    // A name Nagios cannot take is a config problem no retry fixes.
    log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'export: result cannot be addressed to Nagios; not sent');
    for (const t of transports) prometheus?.observeDelivery(t.name, false);
    return void (await published);
  }
  await Promise.all([published, ...transports.map((t) => sendFresh(t, check, result.runId))]);
}

/** The run's check; for a suite run from several locations, the pair's state from each location's newest run. */
async function checkFor(parts: FanOutParts, result: RunResult): Promise<CheckResult> {
  const { config, store, clock } = parts;
  const naming = namingFor(config, result);
  const rule = locationRuleOf(config.suites?.[result.suite]);
  // A run from no location (a one-shot `vigil run` without VIGIL_LOCATION) speaks for itself only.
  if (!rule || !result.location) return buildCheckResult(result, naming);
  const newest = new Map<string, RunResult>();
  const runs = store.runs?.lastByLocation
    ? await storeRead(() => store.runs!.lastByLocation!({ suite: result.suite, environment: result.environment }))
    : undefined;
  for (const run of runs ?? []) if (run.location) newest.set(run.location, run);
  // The run itself, where the store could not say it (a failed save) or said an older one.
  const seen = result.location ? newest.get(result.location) : undefined;
  if (result.location && (!seen || seen.finishedAt < result.finishedAt)) newest.set(result.location, result);
  return buildLocatedCheckResult(result, judgeLocations(newest, rule, clock()), rule, naming);
}

/** A paused pair's check, or undefined (said in the log) when Nagios cannot be addressed with its names. */
function pauseCheck(parts: FanOutParts, pause: PausedPair, kind: PausedCheckKind): CheckResult | undefined {
  const { config, clock, log, redact } = parts;
  try {
    return buildPausedCheck(pause, { ...namingFor(config, pause), mode: config.exporters?.nagios?.paused ?? 'ok', kind, now: clock() });
  } catch (err) {
    log.error({ suite: pause.suite, environment: pause.environment, err: redact(messageOf(err)) }, 'export: pause cannot be addressed to Nagios; not sent');
    return undefined;
  }
}

/**
 * Runs a process saved and was killed before publishing (store.runs.notHandedOver): sent to the Nagios
 * transports now (Prometheus restores its series from the store anyway), then marked handed over. Only
 * runs older than one delivery attempt and a minute: a live `vigil run` may be publishing a newer one.
 */
async function handOverLeftovers(parts: FanOutParts, publish: (result: RunResult, opts: { prometheus?: boolean }) => Promise<void>): Promise<void> {
  const { store, clock, timeoutMs, log } = parts;
  if (!store.runs) return;
  const before = new Date(clock().getTime() - timeoutMs - 60_000);
  for (const result of await store.runs.notHandedOver(before)) {
    // Replicas sharing the store: one of them hands it over (and another only when it stops halfway).
    if (!(await store.runs.claimHandOver(result.runId, new Date(clock().getTime() + 2 * timeoutMs + 60_000)))) continue;
    log.warn(
      { runId: result.runId, suite: result.suite, environment: result.environment },
      'export: a run saved by a process that stopped before publishing it; publishing it now',
    );
    await publish(result, { prometheus: false });
    await store.runs.handedOver(result.runId);
  }
}
