// A scheduled entry run here (`vigil gate --scenario NAME` without --server) on a PostgreSQL store
// shared with replicas holds what a replica's fire of it holds (docs/scenarios.md, "Across replicas"):
// its entry — a replica's fire of it meanwhile is skipped as an overlap, one asked by hand refused —
// and its environments, where no suite run starts on any replica while it acts there. It takes them
// as a replica would, under this process's undo-ledger owner name, waits (until the gate's deadline)
// for another run of the entry or of an entry on its environments, then for the suite runs already
// going there; renews them every quarter lease; and stops the scenario when they ran out (this process
// or its database stalled: suite runs may start there). Its scenario runs are then recorded in the undo
// ledger under the entry's name, as a replica's: killed with -9 while it owes an undo, its holds stay
// in force until a replica has paid it (scenario-holds.ts), and a replica records the killed run
// (without a passive result: no fire of the schedule). SQLite: one process, no holds.
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import { VigilError, messageOf } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';

const RETRY_MS = 1_000;

export interface HeldHere {
  /** The entry held: its scenario runs are recorded in the undo ledger under its name. */
  entry: string;
  /** Aborted when the holds ran out: the scenario stops (its cleanups run), interrupted. */
  signal: AbortSignal;
  release(): Promise<void>;
}

export interface HoldHereOptions {
  entry: string;
  environments: readonly string[];
  /** This process's name in the undo ledger (the holds' replica column): a kill -9 keeps them while it owes an undo. */
  owner: string;
  /** api.lease: the holds are renewed every quarter of it. */
  leaseMs: number;
  /** Epoch ms: waiting for the entry or its environments past it refuses the run. */
  deadline: number;
  say(line: string): void;
}

/** Undefined when the store is one process's (SQLite): nothing to hold against. Throws a VigilError when the deadline passes first. */
export async function holdHere(store: Store, o: HoldHereOptions): Promise<HeldHere | undefined> {
  if (store.engine !== 'postgres') return undefined;
  const rows = store.cluster;
  const { leaseMs } = o;
  const fireId = `gate-${nanoid(10)}`;
  const leaseFrom = (now: Date) => new Date(now.getTime() + leaseMs);
  let said = '';
  const waits = (why: string) => {
    if (why !== said) o.say(`scenario ${o.entry} waits: ${why}`);
    said = why;
  };

  for (;;) {
    const now = new Date();
    const taken = await rows.holdScenario({ fireId, entry: o.entry, environments: o.environments, replica: o.owner, now, leaseUntil: leaseFrom(now) });
    if (taken.ok) break;
    const { entry, replica } = taken.holder;
    const why = entry === o.entry ? `${entry} is running on replica ${replica}` : `${entry} holds its environments on replica ${replica}`;
    if (Date.now() + RETRY_MS > o.deadline) throw new VigilError(`not run: ${why} until the gate's deadline`);
    waits(why);
    await sleep(RETRY_MS);
  }

  const controller = new AbortController();
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const now = new Date();
    try {
      const held = await rows.renewHolds(o.owner, [fireId], leaseFrom(now), now);
      if (held.includes(fireId) || controller.signal.aborted) return;
      o.say(`scenario ${o.entry}: its holds in the store ran out; stopping it`);
      controller.abort(new Error('its holds in the store ran out: suite runs may start on its environments'));
    } catch (err) {
      o.say(`scenario ${o.entry}: cannot renew its holds in the store (it stops if this lasts its lease): ${messageOf(err)}`);
    }
  };
  const timer = setInterval(() => void (renewing ??= renew().finally(() => (renewing = undefined))), Math.max(1_000, Math.floor(leaseMs / 4)));
  timer.unref();
  const release = async () => {
    clearInterval(timer);
    await renewing;
    await rows.releaseScenario(fireId);
  };

  // No suite run starts there now; the ones already going, on any replica, end first.
  try {
    for (;;) {
      const going = await rows.suiteRunsOn(o.environments);
      if (!going.length) return { entry: o.entry, signal: controller.signal, release };
      const why = `suite runs on its environments: ${going.map((r) => `${r.suite}@${r.environment} on ${r.replica}`).join(', ')}`;
      if (Date.now() + RETRY_MS > o.deadline) throw new VigilError(`not run: ${why} did not end by the gate's deadline`);
      if (controller.signal.aborted) throw new VigilError(`not run: ${messageOf(controller.signal.reason)}`);
      waits(why);
      await sleep(RETRY_MS);
    }
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
}
