// The first attempt to deliver a check through one transport, as the fan-out makes it for a fresh
// result: sent now unless a newer one was delivered already, else spooled for spool-retry.ts; and when
// the spool cannot keep it either, dropped loudly. Retries take the other path (spool-retry.ts).
import type { Log } from '../shared/log.ts';
import type { StoreWrite } from '../store/store-write.ts';
import type { Store } from '../store/types.ts';
import type { Delivery } from './delivery.ts';
import type { CheckResult, Transport } from './nagios/index.ts';
import type { PrometheusExporter } from './prometheus/index.ts';

export interface FirstDeliveryDeps {
  store: Pick<Store, 'spool'>;
  prometheus?: Pick<PrometheusExporter, 'observeDelivery' | 'observeDrop'>;
  delivery: Delivery;
  /** A write the delivery can go on without (a full or read-only disk): logged and counted, never thrown. */
  storeWrite: StoreWrite;
  log: Log;
  clock: () => Date;
  backoff: (attempts: number) => number;
}

export type SendFresh = (transport: Transport, check: CheckResult, runId: string) => Promise<void>;

/** A read the delivery can go on without: undefined when the store cannot answer. */
export async function storeRead<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

export function createFirstDelivery(deps: FirstDeliveryDeps): SendFresh {
  const { store, prometheus, delivery, storeWrite, log, clock, backoff } = deps;
  const spooled = async (exporter: string) => (await store.spool.counts())[exporter] ?? 0;

  return async function sendFresh(transport, check, runId) {
    const name = transport.name;
    await delivery.serialized(name, check, async () => {
      if (await delivery.isSuperseded(name, check)) {
        log.warn(
          { exporter: name, runId, host: check.host, service: check.service },
          'export: a newer result was already delivered; this older one is not sent',
        );
        return;
      }
      const error = await delivery.attempt(transport, check);
      if (error === undefined) {
        // Delivered is delivered: a store that cannot remember it (full disk) costs only the ordering guard.
        await storeWrite('spool', runId, `the delivery of run ${runId} to ${name}`, () => delivery.delivered(name, check, runId));
        prometheus?.observeDelivery(name, true, await storeRead(() => spooled(name)));
        log.debug({ exporter: name, runId }, 'export: delivered');
        return;
      }
      const now = clock();
      const kept = await storeWrite('spool', runId, `the undelivered result of run ${runId} in the spool`, () =>
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
        }),
      );
      if (!kept) {
        // Nowhere to keep it: say everything Nagios would have shown, so it is at least in the log.
        prometheus?.observeDelivery(name, false);
        prometheus?.observeDrop(name);
        log.error(
          { exporter: name, runId, host: check.host, service: check.service, state: check.state, output: check.output, err: error },
          'export: delivery failed and the result could not be spooled; it will not reach this monitoring system',
        );
        return;
      }
      prometheus?.observeDelivery(name, false, await storeRead(() => spooled(name)));
      log.warn({ exporter: name, runId, err: error, retryInMs: backoff(1) }, 'export: delivery failed; result spooled for retry');
    });
  };
}
