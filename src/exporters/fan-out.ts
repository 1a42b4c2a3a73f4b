// Every RunResult goes to Prometheus (in process, never spooled) and to each Nagios transport at once.
// Transports are independent: each attempt has its own timeout, so one that fails or hangs never holds
// up another. What a transport could not take goes to the spool in the store (rendered and redacted
// already) and is retried with exponential backoff, by this process or the next one after a restart.
//
// Order matters more than completeness: Nagios takes a passive result with an old timestamp and lets it
// replace a newer state (reference/monitoring-facts.md). So per exporter × host × service the newest
// delivered timestamp is remembered, and a spooled result older than it is discarded, never sent.
import type { RunResult } from '../core/index.ts';
import { ExportError, messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { SpoolEntry, Store } from '../store/types.ts';
import { namingFor, type NamingConfig } from './check-naming.ts';
import { buildCheckResult, type CheckResult, type Transport } from './nagios/index.ts';
import type { PrometheusExporter } from './prometheus/index.ts';

export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 10 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;
const DEFAULT_MAX_ATTEMPTS = 200;
// One retry pass takes at most this many entries; the rest wait for the next pass.
const RETRY_BATCH = 200;

export interface FanOutConfig extends NamingConfig {
  exporters?: NamingConfig['exporters'] & {
    nagios?: { timeout?: number };
    spool?: { maxAge?: number; maxAttempts?: number };
  };
}

export interface ExportFanOutDeps {
  store: Pick<Store, 'spool'>;
  prometheus?: Pick<PrometheusExporter, 'publish' | 'observeDelivery' | 'observeSpool' | 'observeDrop'>;
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

export interface RetrySummary {
  delivered: number;
  failed: number;
  /** Given up on: past the maximum age or number of attempts (counted in vigil_export_dropped_total). */
  dropped: number;
  /** Not sent because a newer result for the same service was delivered meanwhile. */
  superseded: number;
}

export interface ExportFanOut {
  /** Never throws: a failed delivery is spooled, logged and counted. */
  publish(result: RunResult): Promise<void>;
  /** Resends spooled results that are due; overlapping calls share one pass. */
  retryDue(): Promise<RetrySummary>;
  /** Spooled results per exporter. */
  pending(): Record<string, number>;
  /** Stops taking work and waits for attempts in flight (each bounded by its timeout). */
  close(): Promise<void>;
}

export function createExportFanOut(deps: ExportFanOutDeps): ExportFanOut {
  const { store, prometheus, transports, config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const redact = deps.redact ?? ((text: string) => text);
  const timeoutMs = config.exporters?.nagios?.timeout ?? DEFAULT_TIMEOUT_MS;
  const maxAgeMs = config.exporters?.spool?.maxAge ?? DEFAULT_MAX_AGE_MS;
  const maxAttempts = config.exporters?.spool?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const baseMs = deps.retry?.baseMs ?? RETRY_BASE_MS;
  const maxMs = deps.retry?.maxMs ?? RETRY_MAX_MS;
  const byName = new Map(transports.map((t) => [t.name, t]));
  const inFlight = new Set<Promise<unknown>>();
  const locks = new Map<string, Promise<unknown>>();
  let retrying: Promise<RetrySummary> | undefined;
  let closed = false;

  const backoff = (attempts: number) => Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
  const later = (ms: number) => new Date(clock().getTime() + ms);
  const spooled = (exporter: string) => store.spool.counts()[exporter] ?? 0;

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  }

  // Results for one exporter × host × service go out one at a time, so a retry and a fresh result can
  // never cross on the wire and leave the older one last.
  function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return next;
  }

  async function attempt(transport: Transport, check: CheckResult): Promise<string | undefined> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new ExportError(`no delivery within ${timeoutMs}ms`, { where: transport.name });
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const sending = transport.send(check, controller.signal);
    sending.catch(() => {}); // a transport that ignores the signal may still settle after the timeout
    try {
      await Promise.race([sending, timedOut]);
      return undefined;
    } catch (err) {
      return redact(messageOf(err));
    } finally {
      clearTimeout(timer);
    }
  }

  const lockKey = (exporter: string, check: Pick<CheckResult, 'host' | 'service'>) => `${exporter}\0${check.host}\0${check.service}`;

  function isSuperseded(exporter: string, check: Pick<CheckResult, 'host' | 'service' | 'timestamp'>): boolean {
    const last = store.spool.lastDelivered(exporter, check.host, check.service);
    return last !== undefined && check.timestamp < last.timestamp;
  }

  function delivered(exporter: string, check: CheckResult, runId: string): void {
    store.spool.markDelivered({ exporter, host: check.host, service: check.service, timestamp: check.timestamp, runId }, clock());
  }

  async function sendFresh(transport: Transport, check: CheckResult, runId: string): Promise<void> {
    const name = transport.name;
    await serialized(lockKey(name, check), async () => {
      if (isSuperseded(name, check)) {
        log.warn({ exporter: name, runId, host: check.host, service: check.service }, 'export: a newer result was already delivered; this older one is not sent');
        return;
      }
      const error = await attempt(transport, check);
      if (error === undefined) {
        delivered(name, check, runId);
        prometheus?.observeDelivery(name, true, spooled(name));
        log.debug({ exporter: name, runId }, 'export: delivered');
        return;
      }
      const now = clock();
      store.spool.add({
        exporter: name,
        runId,
        host: check.host,
        service: check.service,
        timestamp: check.timestamp,
        payload: check,
        attempts: 1,
        nextAttemptAt: new Date(now.getTime() + backoff(1)),
        lastError: error,
        createdAt: now,
      });
      prometheus?.observeDelivery(name, false, spooled(name));
      log.warn({ exporter: name, runId, err: error, retryInMs: backoff(1) }, 'export: delivery failed; result spooled for retry');
    });
  }

  async function publish(result: RunResult): Promise<void> {
    if (closed) {
      log.warn({ runId: result.runId }, 'export: fan-out closed; result not published');
      return;
    }
    const work = (async () => {
      const prom = prometheus
        ?.publish(result)
        .catch((err) => log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'export: prometheus could not take the result'));
      if (transports.length === 0) return void (await prom);
      let check: CheckResult;
      try {
        check = buildCheckResult(result, namingFor(config, result));
      } catch (err) {
        // A name Nagios cannot take is a config problem no retry fixes.
        log.error({ runId: result.runId, err: redact(messageOf(err)) }, 'export: result cannot be addressed to Nagios; not sent');
        for (const t of transports) prometheus?.observeDelivery(t.name, false);
        return void (await prom);
      }
      await Promise.all([prom, ...transports.map((t) => sendFresh(t, check, result.runId))]);
    })();
    await track(work);
  }

  function drop(entry: SpoolEntry, why: string): void {
    store.spool.remove(entry.id);
    prometheus?.observeDrop(entry.exporter);
    log.error(
      { exporter: entry.exporter, runId: entry.runId, host: entry.host, service: entry.service, attempts: entry.attempts, lastError: entry.lastError },
      `export: spooled result dropped (${why}); it will never reach this monitoring system`,
    );
  }

  async function retryOne(transport: Transport, entry: SpoolEntry, summary: RetrySummary): Promise<boolean> {
    const check = entry.payload as CheckResult;
    return serialized(lockKey(transport.name, entry), async () => {
      if (isSuperseded(transport.name, entry)) {
        store.spool.remove(entry.id);
        summary.superseded++;
        log.info({ exporter: transport.name, runId: entry.runId }, 'export: spooled result superseded by a newer delivered one; discarded');
        return true;
      }
      const error = await attempt(transport, check);
      if (error === undefined) {
        store.spool.remove(entry.id);
        delivered(transport.name, check, entry.runId);
        summary.delivered++;
        prometheus?.observeDelivery(transport.name, true);
        log.info({ exporter: transport.name, runId: entry.runId, attempts: entry.attempts + 1 }, 'export: spooled result delivered');
        return true;
      }
      const attempts = entry.attempts + 1;
      store.spool.failed(entry.id, error, later(backoff(attempts)));
      summary.failed++;
      prometheus?.observeDelivery(transport.name, false);
      log.warn({ exporter: transport.name, runId: entry.runId, attempts, err: error, retryInMs: backoff(attempts) }, 'export: retry failed');
      return false;
    });
  }

  async function retryPass(): Promise<RetrySummary> {
    const summary: RetrySummary = { delivered: 0, failed: 0, dropped: 0, superseded: 0 };
    const now = clock();
    const perTransport = new Map<Transport, SpoolEntry[]>();
    for (const entry of store.spool.due(now, RETRY_BATCH)) {
      const age = now.getTime() - Date.parse(entry.createdAt);
      if (age > maxAgeMs) {
        drop(entry, `older than ${Math.round(maxAgeMs / 1000)}s`);
        summary.dropped++;
        continue;
      }
      if (entry.attempts >= maxAttempts) {
        drop(entry, `${entry.attempts} attempts`);
        summary.dropped++;
        continue;
      }
      if (!isCheck(entry.payload)) {
        drop(entry, 'unreadable payload');
        summary.dropped++;
        continue;
      }
      const transport = byName.get(entry.exporter);
      if (!transport) continue; // not configured in this process; kept until it is, or until too old
      const list = perTransport.get(transport) ?? [];
      list.push(entry);
      perTransport.set(transport, list);
    }
    await Promise.all(
      [...perTransport].map(async ([transport, entries]) => {
        for (const entry of entries) {
          // Claimed for one attempt: a `vigil run` and a `vigil serve` sharing the store never both send it.
          if (!store.spool.claim(entry.id, entry.nextAttemptAt, later(timeoutMs + 5_000))) continue;
          // Still failing: the rest stay due for the next pass instead of each waiting out a timeout now.
          if (!(await retryOne(transport, entry, summary))) break;
        }
      }),
    );
    const counts = store.spool.counts();
    for (const t of transports) prometheus?.observeSpool(t.name, counts[t.name] ?? 0);
    return summary;
  }

  return {
    publish,

    retryDue() {
      if (closed) return Promise.resolve({ delivered: 0, failed: 0, dropped: 0, superseded: 0 });
      retrying ??= track(retryPass()).finally(() => {
        retrying = undefined;
      });
      return retrying;
    },

    pending: () => store.spool.counts(),

    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

function isCheck(payload: unknown): payload is CheckResult {
  const p = payload as Partial<CheckResult> | null;
  return (
    !!p &&
    typeof p.host === 'string' &&
    typeof p.service === 'string' &&
    typeof p.output === 'string' &&
    typeof p.timestamp === 'number' &&
    [0, 1, 2, 3].includes(p.state as number) &&
    Array.isArray(p.longOutput)
  );
}
