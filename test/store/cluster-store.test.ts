// What replicas agree on through the store, on both engines: a fire is taken once, a pair runs once at
// a time, an expired lease is taken over by one replica, and a leftover run is handed over by one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
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
        assert.deepEqual(!busy.ok && [busy.holder.runId, busy.holder.replica], ['a', 'r0']);

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
