// Waiting for the service model to answer an expectation (all green, all red) by a deadline, for
// `vigil model check` and `vigil gate --model`: load the model, poll it (waitUntil), say the progress,
// and give the exit code the commands share.
import { existsSync } from 'node:fs';
import { ConfigError } from '../shared/errors.ts';
import { isPostgresLocation, openStore } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import type { ConfigFile } from '../config/config-file.ts';
import { createRedactor } from '../shared/redact.ts';
import { loadModel, type LoadedModel } from './load-model.ts';
import { createTextReader } from './sources/file-text.ts';
import type { RunLookup } from './sources/vigil-runs.ts';
import { recheckProblem } from './force-rechecks.ts';
import { waitUntil, type WaitProgress, type WaitRequest, type WaitResult } from './wait.ts';

/** The exit codes of a model wait: 0 holds, 2 does not hold by the deadline, 3 Vigil could not ask. */
export const MODEL_EXIT = { holds: 0, notByDeadline: 2, cannotAsk: 3 } as const;

/** The store is opened only when a `vigil` check asks for it, and never created by a read. */
export function modelStore(loaded: LoadedModel) {
  let store: Store | undefined;
  return {
    runs: async (): Promise<RunLookup> => {
      if (!store) {
        const file = !isPostgresLocation(loaded.storePath) && loaded.storePath !== ':memory:';
        if (file && !existsSync(loaded.storePath)) throw new Error(`store ${loaded.storePath} does not exist (no run recorded yet?)`);
        store = await openStore(loaded.storePath);
      }
      return store.runs;
    },
    close: async () => store?.close(),
  };
}

/** What to wait for (as waitUntil takes it), with the config to load the model from. */
export interface ModelWaitOptions extends Pick<WaitRequest, 'node' | 'expect' | 'transitive' | 'withinMs' | 'intervalMs' | 'recheck' | 'since'> {
  config?: string;
  /** The config file already read (a gate that also runs suites from it): not read again. */
  document?: ConfigFile;
  /** Prefix of the progress lines, e.g. `vigil model check`. */
  who: string;
  /** Where progress lines go (default: stderr). */
  write?: (line: string) => void;
  signal?: AbortSignal;
}

/** Loads the model and polls it (waitUntil); the exit code is 0 holds, 2 not by the deadline, 3 cannot ask. */
export async function waitForModel(o: ModelWaitOptions): Promise<{ code: number; result: WaitResult }> {
  const loaded = await loadModel({ config: o.config, ...(o.document ? { document: o.document } : {}) });
  const cannotRecheck = recheckProblem(loaded.model);
  if (o.recheck && cannotRecheck) throw new ConfigError(`--recheck ${cannotRecheck}`);
  const store = modelStore(loaded);
  // What the sources answer (an error echoing a URL, a header) may hold what the model took from the environment.
  const redact = createRedactor(loaded.secrets);
  const out = o.write ?? ((line: string) => void process.stderr.write(line));
  const write = (line: string) => out(redact(line));
  const onProgress = (p: WaitProgress) => {
    if (p.type === 'rechecked') {
      write(`${o.who}: forced a re-check of ${p.checks.length} check${p.checks.length === 1 ? '' : 's'}\n`);
    } else {
      write(
        `${o.who}: ${p.node} not ${p.expect} yet (${p.blockers} in the way); polling every ${p.intervalMs / 1000}s until ${new Date(p.deadline).toISOString()}\n`,
      );
    }
  };
  let result: WaitResult;
  try {
    result = await waitUntil({
      model: loaded.model,
      node: o.node,
      expect: o.expect,
      transitive: o.transitive,
      withinMs: o.withinMs,
      intervalMs: o.intervalMs,
      recheck: o.recheck,
      ...(o.since ? { since: o.since } : {}),
      deps: { runs: store.runs, reader: createTextReader(), onProgress, ...(o.signal ? { signal: o.signal } : {}) },
    });
  } catch (err) {
    // "cannot ask the monitoring: …" quotes the source's answer: said by the CLI's error handler, so cleaned here.
    if (err instanceof Error) err.message = redact(err.message);
    throw err;
  } finally {
    await store.close();
  }
  return {
    code: result.answer.holds ? MODEL_EXIT.holds : result.unreachable.length ? MODEL_EXIT.cannotAsk : MODEL_EXIT.notByDeadline,
    result: redact.value(result),
  };
}
