// One pass over the export spool: results a transport could not take earlier, resent when due, with
// backoff between attempts; given up on (and counted) past the maximum age or number of attempts.
import type { Log } from '../shared/log.ts';
import type { SpoolEntry, Store } from '../store/types.ts';
import type { Delivery } from './delivery.ts';
import type { CheckResult, Transport } from './nagios/index.ts';
import type { PrometheusExporter } from './prometheus/index.ts';

// One retry pass takes at most this many entries; the rest wait for the next pass.
const RETRY_BATCH = 200;

export interface RetrySummary {
  delivered: number;
  failed: number;
  /** Given up on: past the maximum age or number of attempts (counted in vigil_export_dropped_total). */
  dropped: number;
  /** Not sent because a newer result for the same service was delivered meanwhile. */
  superseded: number;
}

export const emptyRetrySummary = (): RetrySummary => ({ delivered: 0, failed: 0, dropped: 0, superseded: 0 });

export interface SpoolRetryDeps {
  store: Pick<Store, 'spool'>;
  prometheus?: Pick<PrometheusExporter, 'observeDelivery' | 'observeSpool' | 'observeDrop'>;
  transports: Transport[];
  delivery: Delivery;
  log: Log;
  clock: () => Date;
  maxAgeMs: number;
  maxAttempts: number;
  /** How long a claimed entry is reserved for this process's attempt. */
  claimMs: number;
  backoff: (attempts: number) => number;
}

export function createSpoolRetry(deps: SpoolRetryDeps): () => Promise<RetrySummary> {
  const { store, prometheus, transports, clock } = deps;
  const byName = new Map(transports.map((t) => [t.name, t]));

  return async function retryPass(): Promise<RetrySummary> {
    const summary = emptyRetrySummary();
    const now = clock();
    const perTransport = new Map<Transport, SpoolEntry[]>();
    for (const entry of await store.spool.due(now, RETRY_BATCH)) {
      const why = giveUpReason(deps, entry, now);
      if (why) {
        await drop(deps, entry, why);
        summary.dropped++;
        continue;
      }
      const transport = byName.get(entry.exporter);
      if (!transport) continue; // not configured in this process; kept until it is, or until too old
      const list = perTransport.get(transport) ?? [];
      list.push(entry);
      perTransport.set(transport, list);
    }
    await Promise.all([...perTransport].map(([transport, entries]) => retryInOrder(deps, transport, entries, summary)));
    const counts = await store.spool.counts();
    for (const t of transports) prometheus?.observeSpool(t.name, counts[t.name] ?? 0);
    return summary;
  };
}

const later = (deps: SpoolRetryDeps, ms: number) => new Date(deps.clock().getTime() + ms);

/** Why an entry is given up on before any attempt, or undefined when it may be sent. */
function giveUpReason(deps: SpoolRetryDeps, entry: SpoolEntry, now: Date): string | undefined {
  const { maxAgeMs, maxAttempts } = deps;
  if (now.getTime() - Date.parse(entry.createdAt) > maxAgeMs) return `older than ${Math.round(maxAgeMs / 1000)}s`;
  if (entry.attempts >= maxAttempts) return `${entry.attempts} attempts`;
  if (!isCheck(entry.payload)) return 'unreadable payload';
  return undefined;
}

async function drop(deps: SpoolRetryDeps, entry: SpoolEntry, why: string): Promise<void> {
  await deps.store.spool.remove(entry.id);
  deps.prometheus?.observeDrop(entry.exporter);
  deps.log.error(
    { exporter: entry.exporter, runId: entry.runId, host: entry.host, service: entry.service, attempts: entry.attempts, lastError: entry.lastError },
    `export: spooled result dropped (${why}); it will never reach this monitoring system`,
  );
}

/** One transport's due entries, oldest first, each claimed for its attempt; the first failure ends the pass for it. */
async function retryInOrder(deps: SpoolRetryDeps, transport: Transport, entries: SpoolEntry[], summary: RetrySummary): Promise<void> {
  for (const entry of entries) {
    // Claimed for one attempt: a `vigil run` and a `vigil serve` sharing the store never both send it.
    if (!(await deps.store.spool.claim(entry.id, entry.nextAttemptAt, later(deps, deps.claimMs)))) continue;
    // Still failing: the rest stay due for the next pass instead of each waiting out a timeout now.
    if (!(await retryOne(deps, transport, entry, summary))) break;
  }
}

async function retryOne(deps: SpoolRetryDeps, transport: Transport, entry: SpoolEntry, summary: RetrySummary): Promise<boolean> {
  const { store, prometheus, delivery, log } = deps;
  const check = entry.payload as CheckResult;
  return delivery.serialized(transport.name, entry, async () => {
    if (await delivery.isSuperseded(transport.name, entry)) {
      await store.spool.remove(entry.id);
      summary.superseded++;
      log.info({ exporter: transport.name, runId: entry.runId }, 'export: spooled result superseded by a newer delivered one; discarded');
      return true;
    }
    const error = await delivery.attempt(transport, check);
    if (error === undefined) {
      await store.spool.remove(entry.id);
      await delivery.delivered(transport.name, check, entry.runId);
      summary.delivered++;
      prometheus?.observeDelivery(transport.name, true);
      log.info({ exporter: transport.name, runId: entry.runId, attempts: entry.attempts + 1 }, 'export: spooled result delivered');
      return true;
    }
    const attempts = entry.attempts + 1;
    await store.spool.failed(entry.id, error, later(deps, deps.backoff(attempts)));
    summary.failed++;
    prometheus?.observeDelivery(transport.name, false);
    log.warn({ exporter: transport.name, runId: entry.runId, attempts, err: error, retryInMs: deps.backoff(attempts) }, 'export: retry failed');
    return false;
  });
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
