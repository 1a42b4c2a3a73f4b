// A write to the store that the work can go on without: a run's record while its tenant is torn down
// and its result delivered, a ledger row, a spool entry, a scenario run whose result is also in the
// JUnit file and on stdout. A full or read-only disk must not stop any of those. One way for all of
// them (docs/error-paths.md): logged with what could not be saved and what to do, counted in
// vigil_store_write_failures_total{operation}, never thrown.
import { messageOf } from '../shared/errors.ts';
import { describeStoreFailure } from './store-failure.ts';

export const STORE_OPERATIONS = ['run', 'ledger', 'spool', 'scenario'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

export interface StoreWriteDeps {
  /** A Vigil logger, or anything taking (fields, message): the scenario CLI writes to stderr. */
  log: { error(fields: { runId: string; operation: StoreOperation; store?: string; err: string }, message: string): void };
  /** Applied to the failure's message (a path or a value in it may hold a secret). */
  redact: (text: string) => string;
  /** The store's path or URL (redacted), in the log line. */
  store?: string;
  /** Counts the failure (the Prometheus exporter's observeStoreFailure). */
  onFailure?: (operation: StoreOperation) => void;
}

export type StoreWrite = (operation: StoreOperation, runId: string, what: string, write: () => Promise<unknown>) => Promise<boolean>;

/** `storeWrite(operation, runId, what, write)`: true when saved; false when logged ("the store could not save <what>") and counted. */
export function createStoreWrite(deps: StoreWriteDeps): StoreWrite {
  return async (operation, runId, what, write) => {
    try {
      await write();
      return true;
    } catch (err) {
      deps.onFailure?.(operation);
      deps.log.error(
        { runId, operation, ...(deps.store ? { store: deps.store } : {}), err: deps.redact(describeStoreFailure(err, messageOf(err))) },
        `the store could not save ${what}`,
      );
      return false;
    }
  };
}
