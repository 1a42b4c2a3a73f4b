// `vigil run` and `vigil gate` (without --server) on the PostgreSQL store that replicas share run like
// a replica's run triggered by hand (docs/deploy.md, "Replicas on PostgreSQL"): each takes its pair's
// one slot cluster-wide first — waiting while the pair runs on a replica, or while a scheduled scenario
// holds its environment (a suite run there would fail on the member the scenario destroyed on purpose:
// a deploy blocked by Vigil's own damage) — under this process's name, renews its lease every quarter
// `api.lease`, and gives it back when recorded. Killed with -9, its lease runs out and a replica
// records the run interrupted, destroys its tenant at once and publishes UNKNOWN (run-recovery.ts), as
// for a replica's run. A run whose lease was taken over meanwhile (this process or its database
// stalled) is stopped. On SQLite (one process) nothing changes.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import { targetKey, type RunResult } from '../core/index.ts';
import type { RunOrchestrator, RunProgress } from '../runs/orchestrator.ts';
import { clusterPairKey } from '../scheduler/cluster.ts';
import { VigilError, messageOf } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';
import type { Context } from './context.ts';
import { locationFromEnv } from './orchestrator-for.ts';

const RETRY_MS = 1_000;

export interface CliRun {
  suite: string;
  environment: string;
  signal: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

/** Not run: the pair or its environment stayed taken until the deadline (or the command was stopped). */
export class NotRun extends VigilError {}

export function createCliSlots(ctx: Context, orchestrator: RunOrchestrator, opts: { command: string; say(line: string): void }) {
  const { store, config } = ctx;
  const shared = store.engine === 'postgres';
  const owner = `${opts.command}@${hostname()}:${process.pid}`;
  const location = locationFromEnv()?.location ?? '';
  const leaseMs = config.api.lease;
  const mine = new Map<string, AbortController>(); // run id → stops it when its slot was taken over
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
  const pairKeyOf = (run: CliRun) => clusterPairKey(run.suite, run.environment, config.suites[run.suite]?.locations !== undefined ? location : '');

  async function renew(): Promise<void> {
    try {
      const held = new Set(await store.cluster.renew(owner, new Date(Date.now() + leaseMs)));
      for (const [runId, stop] of mine) {
        if (held.has(runId)) continue;
        mine.delete(runId);
        opts.say(`run ${runId}: another replica took it over (its lease ran out: this process or its database stalled); stopping it`);
        stop.abort(new Error('another replica took this run over: its lease ran out (this process or its database stalled)'));
      }
    } catch (err) {
      opts.say(`cannot renew the runs' leases in the store (a replica takes them over if this lasts ${leaseMs / 1000}s): ${ctx.redact(messageOf(err))}`);
    }
  }

  return {
    /** The run, in its pair's slot cluster-wide on a shared store; NotRun when the slot stayed taken. */
    async run(run: CliRun, deadline: number): Promise<RunResult> {
      if (!shared) return orchestrator.run({ ...run, trigger: 'cli' });
      const runId = nanoid();
      await take(store, run, { runId, owner, leaseMs, location, say: opts.say, pairKey: pairKeyOf(run) }, deadline);
      const stop = new AbortController();
      mine.set(runId, stop);
      timer ??= setInterval(() => void (renewing ??= renew().finally(() => (renewing = undefined))), Math.max(1_000, Math.floor(leaseMs / 4)));
      timer.unref();
      try {
        return await orchestrator.run({ ...run, trigger: 'cli', runId, signal: AbortSignal.any([run.signal, stop.signal]) });
      } finally {
        mine.delete(runId);
        if (!mine.size) {
          clearInterval(timer);
          timer = undefined;
        }
        // Recorded (or it threw): the pair is free. A failure leaves the row to run out with its lease.
        await store.cluster
          .finishRun(runId)
          .catch((err) =>
            opts.say(`cannot give ${targetKey(run.suite, run.environment)} back in the store (its lease runs out instead): ${ctx.redact(messageOf(err))}`),
          );
      }
    },
  };
}

/** Takes the pair's slot, waiting until `deadline` (epoch ms) while it is taken. */
async function take(
  store: Store,
  run: CliRun,
  as: { runId: string; owner: string; leaseMs: number; pairKey: string; location: string; say(line: string): void },
  deadline: number,
): Promise<void> {
  let said = '';
  for (;;) {
    const now = new Date();
    const slot = await store.cluster.startRun({
      pairKey: as.pairKey,
      runId: as.runId,
      suite: run.suite,
      environment: run.environment,
      location: as.location,
      trigger: 'cli',
      replica: as.owner,
      startedAt: now.toISOString(),
      leaseUntil: new Date(now.getTime() + as.leaseMs).toISOString(),
    });
    if (slot.ok) return;
    const why =
      'scenario' in slot
        ? `the scheduled scenario ${slot.scenario.entry} holds ${run.environment} on replica ${slot.scenario.replica}`
        : `${targetKey(run.suite, run.environment)} is running on replica ${slot.holder.replica} as run ${slot.holder.runId}`;
    if (run.signal.aborted) throw new NotRun(`not run: ${why} (${messageOf(run.signal.reason)})`);
    if (Date.now() + RETRY_MS > deadline) throw new NotRun(`not run: ${why} until the deadline`);
    if (why !== said) as.say(`${targetKey(run.suite, run.environment)} waits: ${why}`);
    said = why;
    await sleep(RETRY_MS, undefined, { signal: run.signal }).catch(() => undefined);
  }
}
