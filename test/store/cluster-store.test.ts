// What replicas agree on through the store, on both engines: a fire is taken once, a pair runs once at
// a time, an expired lease is taken over by one replica, and a leftover run is handed over by one.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import pg from 'pg';
import { emptyCounts, type RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { oweUndo } from '../helpers/owed-undo.ts';
import { storeEngines } from '../helpers/store-engines.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const slot = (runId: string, replica: string, leaseUntil: Date) => ({
  pairKey: 'checkout@production',
  runId,
  suite: 'checkout',
  environment: 'production',
  location: '',
  trigger: 'schedule',
  replica,
  startedAt: at(0).toISOString(),
  leaseUntil: leaseUntil.toISOString(),
});

for (const engine of storeEngines()) {
  describe(`the cluster's rows on ${engine.name}`, { skip: engine.skip }, () => {
    it('a fire is taken by one of several stores at once; a pair has one run slot; an expired lease is taken over once', async () => {
      const location = await engine.fresh();
      const stores = await Promise.all([openStore(location), openStore(location), openStore(location)]);
      try {
        const fire = (i: number) =>
          stores[i].cluster.takeFire({ pairKey: 'checkout@production', fireAt: at(0).toISOString(), replica: `r${i}`, runId: `run-${i}`, at: at(0) });
        assert.deepEqual((await Promise.all([fire(0), fire(1), fire(2)])).filter(Boolean).length, 1, 'exactly one took the fire');

        assert.deepEqual(await stores[0].cluster.startRun(slot('a', 'r0', at(30))), { ok: true });
        const busy = await stores[1].cluster.startRun(slot('b', 'r1', at(30)));
        assert.equal(busy.ok, false);
        assert.deepEqual(!busy.ok && 'holder' in busy && [busy.holder.runId, busy.holder.replica], ['a', 'r0']);

        assert.deepEqual(await stores[0].cluster.renew('r0', at(40)), ['a']);
        assert.deepEqual(await stores[1].cluster.expired(at(35)), [], 'renewed: not expired');
        const expired = await stores[1].cluster.expired(at(41));
        assert.deepEqual(
          expired.map((r) => r.runId),
          ['a'],
        );
        const takers = await Promise.all([
          stores[1].cluster.takeOver('a', at(41), undefined, { replica: 'r1', until: at(70) }),
          stores[2].cluster.takeOver('a', at(41), undefined, { replica: 'r2', until: at(70) }),
        ]);
        assert.equal(takers.filter(Boolean).length, 1, 'one replica records it');
        assert.deepEqual(await stores[0].cluster.renew('r0', at(50)), [], 'the stalled replica learns it lost the run');
        // Claimed, not removed: a recorder killed before saving the run leaves it to be taken over again.
        const claimer = takers[0] ? 'r1' : 'r2';
        assert.deepEqual(
          (await stores[0].cluster.active()).map((r) => [r.runId, r.replica, r.leaseUntil]),
          [['a', claimer, at(70).toISOString()]],
        );
        assert.deepEqual(await stores[0].cluster.stale(at(60)), [], 'nobody else takes it while the claim holds');
        assert.deepEqual(
          (await stores[0].cluster.stale(at(71))).map((r) => r.runId),
          ['a'],
          'a claim that ran out (its recorder died) is taken over again',
        );
        assert.equal(await stores[0].cluster.takeOver('a', at(71), undefined, { replica: 'r0', until: at(100) }), true);
        await stores[0].cluster.finishRun('a'); // recorded: the pair is given back
        assert.deepEqual(await stores[1].cluster.startRun(slot('b', 'r1', at(90))), { ok: true }, 'the pair is free again');

        // After a restart under the same name, its rows are its own to take back, expired or not.
        assert.deepEqual(
          (await stores[1].cluster.stale(at(60), 'r1')).map((r) => r.runId),
          ['b'],
        );
        assert.equal(await stores[2].cluster.takeOver('b', at(60), undefined, { replica: 'r2', until: at(120) }), false, 'another replica waits for the lease');
        assert.equal(await stores[1].cluster.takeOver('b', at(60), 'r1', { replica: 'r1', until: at(120) }), true);

        await stores[0].cluster.announce({ name: 'r0', location: 'eu-west', startedAt: at(0).toISOString() }, at(5));
        await stores[0].cluster.announce({ name: 'r0', location: 'eu-west', startedAt: at(0).toISOString() }, at(9));
        assert.deepEqual(await stores[1].cluster.replicas(), [
          { name: 'r0', location: 'eu-west', startedAt: at(0).toISOString(), seenAt: at(9).toISOString() },
        ]);
        assert.equal(await stores[2].cluster.pruneFires(at(1)), 1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("a scheduled scenario's holds: one run of an entry, an environment to one scenario, no suite run there meanwhile, gone after their lease", async () => {
      const location = await engine.fresh();
      const stores = await Promise.all([openStore(location), openStore(location), openStore(location)]);
      const hold = (i: number, fireId: string, entry: string, environments: string[], now = at(0)) =>
        stores[i].cluster.holdScenario({ fireId, entry, environments, replica: `r${i}`, now, leaseUntil: new Date(now.getTime() + 10_000) });
      const suiteRun = (i: number, suite: string, now = at(0)) =>
        stores[i].cluster.startRun({
          ...slot(`${suite}-${now.getTime()}`, `r${i}`, at(59)),
          pairKey: `${suite}@staging`,
          suite,
          environment: 'staging',
          startedAt: now.toISOString(),
        });
      try {
        // At once on PostgreSQL; one after the other on SQLite, whose waiting writer would block this one process.
        const both =
          engine.name === 'postgres'
            ? await Promise.all([hold(0, 'f0', 'member-loss', ['staging']), hold(1, 'f1', 'member-loss', ['staging'])])
            : [await hold(0, 'f0', 'member-loss', ['staging']), await hold(1, 'f1', 'member-loss', ['staging'])];
        assert.equal(both.filter((t) => t.ok).length, 1, 'one replica runs the entry');
        const [winner, loser] = both[0].ok ? [0, 1] : [1, 0];
        const refused = both[loser];
        assert.deepEqual(!refused.ok && [refused.holder.entry, refused.holder.replica], ['member-loss', `r${winner}`]);
        const other = await hold(2, 'f2', 'drain', ['staging', 'qa']);
        assert.deepEqual(
          !other.ok && [other.holder.entry, other.holder.holdKey],
          ['member-loss', 'environment:staging'],
          'another entry on a held environment',
        );
        assert.deepEqual(await hold(2, 'f3', 'drain', ['qa'], at(15)), { ok: true }, 'another environment is free');

        const held = await suiteRun(2, 'checkout');
        assert.deepEqual(!held.ok && 'scenario' in held && [held.scenario.entry, held.scenario.replica], ['member-loss', `r${winner}`]);
        assert.deepEqual(await stores[2].cluster.suiteRunsOn(['staging']), [], 'no suite run started there');

        assert.deepEqual(await stores[winner].cluster.renewHolds(`r${winner}`, [`f${winner}`], at(20), at(5)), [`f${winner}`]);
        assert.equal((await suiteRun(2, 'checkout', at(15))).ok, false, 'renewed: still held');
        // The holder stops renewing: past the lease its holds hold nothing, and a later renewal does not bring them back.
        assert.deepEqual((await suiteRun(2, 'checkout', at(21))).ok, true, 'past the lease a suite run starts');
        assert.deepEqual(await stores[2].cluster.renewHolds('r2', ['f3'], at(40), at(21)), ['f3']);
        assert.equal(await stores[2].cluster.pruneHolds(at(21)), 2, 'the holds past their lease deleted');
        assert.deepEqual(await stores[winner].cluster.renewHolds(`r${winner}`, [`f${winner}`], at(40), at(21)), [], 'the stalled holder learns it lost them');
        assert.deepEqual(
          (await stores[0].cluster.holds(at(21))).map((h) => h.holdKey),
          ['environment:qa', 'scenario:drain'],
        );
        assert.equal(await stores[2].cluster.dropHolds('r2'), 2, 'a restart under the same name drops its own');
        await stores[0].cluster.releaseScenario('nothing');
        assert.deepEqual(await stores[0].cluster.holds(at(21)), []);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("a killed holder's holds stay in force past their lease while its entry owes an undo, and go once it is paid", async () => {
      const location = await engine.fresh();
      const [killed, other] = await Promise.all([openStore(location), openStore(location)]);
      const suiteRun = (now: Date) =>
        other.cluster.startRun({
          ...slot(`checkout-${now.getTime()}`, 'r1', at(59)),
          pairKey: 'checkout@staging',
          suite: 'checkout',
          environment: 'staging',
          startedAt: now.toISOString(),
        });
      try {
        assert.deepEqual(
          await killed.cluster.holdScenario({ fireId: 'f0', entry: 'member-loss', environments: ['staging'], replica: 'r0', now: at(0), leaseUntil: at(10) }),
          { ok: true },
        );
        // The destroy's undo, owed by r0, which is then killed: no renewal from here on.
        await oweUndo(killed, 'u0', 'r0', at(10));
        const held = await suiteRun(at(15));
        assert.deepEqual(!held.ok && 'scenario' in held && held.scenario.entry, 'member-loss', 'past the lease, the member still down: held');
        assert.equal(await other.cluster.pruneHolds(at(15)), 0, 'not deleted');
        assert.deepEqual(await killed.cluster.renewHolds('r0', ['f0'], at(40), at(15)), [], "not its holder's to act under any more");
        // Restarted under its name while the undo is owed: the new process does not renew the old fire's holds (it runs no fire f0).
        assert.deepEqual(await killed.cluster.renewHolds('r0', [], at(40), at(15)), []);
        const again = await other.cluster.holdScenario({
          fireId: 'f1',
          entry: 'member-loss',
          environments: ['staging'],
          replica: 'r1',
          now: at(15),
          leaseUntil: at(25),
        });
        assert.deepEqual(!again.ok && again.holder.fireId, 'f0', 'the next fire of the entry waits for the undo too');
        assert.equal(await killed.cluster.dropHolds('r0'), 0, 'restarted under its name with the undo still owed: kept');
        // Another replica pays it: the environment is free.
        await other.undos.paid('u0');
        assert.equal((await suiteRun(at(16))).ok, true, 'the undo paid: a suite run starts');
        assert.deepEqual(await other.cluster.holds(at(16)), []);
      } finally {
        await Promise.all([killed.close(), other.close()]);
      }
    });

    // The race a lock must close: a suite run's insert that checked for holds before a scenario took the
    // environment, and lands after the scenario looked for runs there. A transaction left open on the
    // same pair keeps the insert waiting (its check done) for as long as the test likes.
    // PostgreSQL only (scenarios hold environments across replicas there): not declared for SQLite at all.
    const race = engine.name === 'postgres' ? it : () => {};
    race('a suite run starting while a scenario takes its environment: the scenario sees it, or it does not start', async () => {
      const location = await engine.fresh();
      const [replica0, replica1] = await Promise.all([openStore(location), openStore(location)]);
      const other = new pg.Client({ connectionString: location });
      await other.connect();
      try {
        const now = new Date();
        const soon = new Date(now.getTime() + 60_000);
        const run = { ...slot('late', 'r1', soon), pairKey: 'checkout@staging', environment: 'staging', startedAt: now.toISOString() };
        await other.query('BEGIN');
        await other.query(
          `INSERT INTO active_runs (pair_key, run_id, suite, environment, location, trigger, replica, started_at, lease_until) VALUES ('checkout@staging', 'other', 'checkout', 'staging', '', 'api', 'rx', $1, $1)`,
          [now.toISOString()],
        );
        const started = replica1.cluster.startRun(run);
        const waiting = async () => Number((await other.query('SELECT count(*) AS n FROM pg_locks WHERE NOT granted')).rows[0].n);
        for (let i = 0; i < 100 && (await waiting()) === 0; i++) await sleep(50);
        assert.ok((await waiting()) > 0, 'the suite run waits on the open transaction');
        const seen = replica0.cluster
          .holdScenario({ fireId: 'f', entry: 'member-loss', environments: ['staging'], replica: 'r0', now, leaseUntil: soon })
          .then(async (t) => [t.ok, (await replica0.cluster.suiteRunsOn(['staging'])).map((r) => r.runId)]);
        await sleep(300);
        await other.query('ROLLBACK');
        const [took, [held, visible]] = await Promise.all([started, seen]);
        assert.equal(held, true);
        assert.ok(
          !took.ok || (visible as string[]).includes('late'),
          `the run started (${JSON.stringify(took)}) and the scenario did not see it: ${JSON.stringify(visible)}`,
        );
      } finally {
        await other.end();
        await Promise.all([replica0.close(), replica1.close()]);
      }
    });

    it('a run left unpublished is handed over by one store only, and again once the claim runs out', async () => {
      const location = await engine.fresh();
      const [a, b] = await Promise.all([openStore(location), openStore(location)]);
      try {
        const run: RunResult = {
          runId: 'left',
          suite: 'checkout',
          environment: 'production',
          trigger: 'schedule',
          startedAt: at(0).toISOString(),
          finishedAt: at(1).toISOString(),
          status: 'passed',
          phases: { tenant_setup: 0, test: 1, teardown: 0 },
          tests: emptyCounts(),
          failures: [],
          location: 'eu-west',
        };
        await a.runs.save(run, { handedOver: false });
        const soon = new Date(Date.now() + 60_000);
        assert.deepEqual(await Promise.all([a.runs.claimHandOver('left', soon), b.runs.claimHandOver('left', soon)]).then((r) => r.filter(Boolean).length), 1);
        assert.deepEqual(await b.runs.notHandedOver(new Date()), [], 'claimed: not offered again meanwhile');
        await a.db.run('UPDATE runs SET handover_claim = ?', [new Date(Date.now() - 1000).toISOString()]);
        assert.deepEqual(
          (await b.runs.notHandedOver(new Date())).map((r) => r.runId),
          ['left'],
          'the claim ran out: offered again',
        );
        assert.equal((await a.runs.get('left'))?.location, 'eu-west');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
