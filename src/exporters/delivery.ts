// Delivering one Nagios check result through one transport: a bounded attempt, one result at a time
// per exporter × host × service, and the newest delivered timestamp remembered in the store.
//
// Order matters more than completeness: Nagios takes a passive result with an old timestamp and lets it
// replace a newer state (reference/monitoring-facts.md). So a result older than the newest delivered one
// for its service is superseded and never sent.
import { ExportError, messageOf } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';
import type { CheckResult, Transport } from './nagios/index.ts';

export interface DeliveryDeps {
  store: Pick<Store, 'spool'>;
  /** Per attempt: one slow transport never holds up another. */
  timeoutMs: number;
  redact: (text: string) => string;
  clock: () => Date;
}

export type ServiceKey = Pick<CheckResult, 'host' | 'service'>;

export function createDelivery(deps: DeliveryDeps) {
  const { store, timeoutMs, redact, clock } = deps;
  const locks = new Map<string, Promise<unknown>>();
  const lockKey = (exporter: string, check: ServiceKey) => `${exporter}\0${check.host}\0${check.service}`;

  return {
    /**
     * Runs `fn` after every earlier call for the same exporter × service has settled, so a retry and a
     * fresh result can never cross on the wire and leave the older one last.
     */
    serialized<T>(exporter: string, check: ServiceKey, fn: () => Promise<T>): Promise<T> {
      const key = lockKey(exporter, check);
      const previous = locks.get(key) ?? Promise.resolve();
      const next = previous.then(fn, fn);
      const settled = next.catch(() => {});
      locks.set(key, settled);
      void settled.then(() => {
        if (locks.get(key) === settled) locks.delete(key);
      });
      return next;
    },

    /** One send, bounded by the timeout. Resolves to undefined when delivered, else the redacted error. */
    async attempt(transport: Transport, check: CheckResult): Promise<string | undefined> {
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
    },

    /** True when a newer result for the same service was already delivered through this exporter. */
    async isSuperseded(exporter: string, check: ServiceKey & Pick<CheckResult, 'timestamp'>): Promise<boolean> {
      const last = await store.spool.lastDelivered(exporter, check.host, check.service);
      return last !== undefined && check.timestamp < last.timestamp;
    },

    async delivered(exporter: string, check: CheckResult, runId: string): Promise<void> {
      await store.spool.markDelivered({ exporter, host: check.host, service: check.service, timestamp: check.timestamp, runId }, clock());
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;

/** Exponential backoff: base × 2^(attempts − 1), capped at max. */
export const backoffMs = (attempts: number, baseMs: number, maxMs: number): number => Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
