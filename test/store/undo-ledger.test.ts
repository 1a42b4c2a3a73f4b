// The undo ledger on both engines (docs/scenarios.md, "SIGTERM and kill -9"): a row is its owner's
// while its lease holds; past it (or for the owner's own name after a restart) one process claims it.
// A replay pass runs each due undo through the real action runner (real commands), removes it when it
// ran, and keeps it owed — attempts, error, a retry time — when it failed or the config no longer
// defines it; two passes at once run each undo once. A run's own row (written before its first step,
// gone once it is recorded) is no undo: a pass records its run `interrupted` once its owner stopped —
// owing an undo or not — and leaves a run whose owner is alive alone, even when one of its undos is due.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scenariosSchema } from '../../src/config/scenario-schema.ts';
import { replayOwedUndos } from '../../src/scenarios/replay-undos.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { oweUndo } from '../helpers/owed-undo.ts';
import { storeEngines } from '../helpers/store-engines.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

for (const engine of storeEngines()) {
  describe(`the undo ledger on ${engine.name}`, { skip: engine.skip }, () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vigil-undo-store-'));
    });
    after(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("a row is its owner's while renewed; an expired one is claimed by one process; its former self takes its own back", async () => {
      const location = await engine.fresh();
      const stores = await Promise.all([openStore(location), openStore(location), openStore(location)]);
      try {
        await oweUndo(stores[0], 'a', 'r0', at(30));
        await oweUndo(stores[0], 'b', 'r0', at(30));
        await stores[0].undos.renew('r0', ['a'], at(60));
        await stores[0].undos.renew('r1', ['b'], at(90)); // not r1's: unchanged
        assert.deepEqual(
          (await stores[1].undos.list()).map((u) => [u.id, u.owner, u.leaseUntil]),
          [
            ['a', 'r0', at(60).toISOString()],
            ['b', 'r0', at(30).toISOString()],
          ],
        );
        const [b] = await stores[1].undos.due(at(40));
        assert.deepEqual(b, {
          id: 'b',
          undo: 'restore-member',
          action: 'destroy-member',
          params: { member: 'app-0' },
          runId: 'run-b',
          scenario: 'one app member is destroyed',
          schedule: 'member-loss',
          owner: 'r0',
          leaseUntil: at(30).toISOString(),
          attempts: 0,
          createdAt: at(0).toISOString(),
          updatedAt: at(0).toISOString(),
        });
        assert.equal((await stores[1].undos.due(at(40))).length, 1, 'a renewed row is not due');
        const takers = await Promise.all([1, 2].map((i) => stores[i].undos.claim('b', at(40), undefined, { owner: `r${i}`, until: at(200) })));
        assert.equal(takers.filter(Boolean).length, 1, 'one process takes it');
        assert.deepEqual(await stores[0].undos.due(at(50)), [], 'the claim holds (and a is renewed)');

        assert.deepEqual(
          (await stores[0].undos.due(at(40), 'r0')).map((u) => u.id),
          ['a'],
          "after a restart under its name, r0's rows are its own, lease or not",
        );
        assert.equal(await stores[1].undos.claim('a', at(40), undefined, { owner: 'r1', until: at(200) }), false);
        assert.equal(await stores[0].undos.claim('a', at(40), 'r0', { owner: 'r0', until: at(200) }), true);

        await stores[0].undos.failed('a', 'exit 1: no such member', at(300));
        const [failed] = (await stores[2].undos.list()).filter((u) => u.id === 'a');
        assert.deepEqual([failed.attempts, failed.lastError, failed.leaseUntil], [1, 'exit 1: no such member', at(300).toISOString()]);
        await stores[0].undos.paid('a');
        await stores[0].undos.paid('b');
        assert.deepEqual(await stores[2].undos.list(), []);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('a replay pass runs due undos with the real action runner: paid ones go, a failing one and an undefined one stay owed', async () => {
      const location = await engine.fresh();
      const [one, two] = await Promise.all([openStore(location), openStore(location)]);
      const config = scenariosSchema.parse({
        actions: {
          'restore-member': { command: ['sh', '-c', 'echo restored $1 >> restored.txt', 'sh', '{{member}}'] },
          'restore-broken': { command: ['sh', '-c', 'echo "no such member $1" >&2; exit 4', 'sh', '{{member}}'] },
        },
      });
      const lines: string[] = [];
      const log = {
        info: (_: object, m: string) => lines.push(`info ${m}`),
        error: (f: object, m: string) => lines.push(`error ${m}: ${(f as { err: string }).err}`),
      };
      const deps = (store: Store, owner: string) => ({
        store,
        actions: { config, configDir: dir },
        owner,
        log,
        redact: (s: string) => s.replaceAll('app-2', '[redacted]'),
      });
      try {
        const expired = new Date(Date.now() - 1_000);
        for (const member of ['app-0', 'app-1', 'app-3', 'app-4']) await oweUndo(one, member, 'gone', expired, 'restore-member', member);
        await oweUndo(one, 'broken', 'gone', expired, 'restore-broken', 'app-2');
        await oweUndo(one, 'renamed', 'gone', expired, 'restore-old-name', 'app-5');
        await oweUndo(one, 'held', 'alive', new Date(Date.now() + 60_000), 'restore-member', 'app-9');

        // Two replicas' passes at once: each undo runs once.
        const [a, b] = await Promise.all([replayOwedUndos(deps(one, 'r1')), replayOwedUndos(deps(two, 'r2'))]);
        assert.deepEqual([...a.ran, ...b.ran].map((u) => u.params.member).sort(), ['app-0', 'app-1', 'app-3', 'app-4']);
        const restored = (await readFile(join(dir, 'restored.txt'), 'utf8')).trim().split('\n').sort();
        assert.deepEqual(restored, ['restored app-0', 'restored app-1', 'restored app-3', 'restored app-4']);

        const left = await two.undos.list();
        assert.deepEqual(left.map((u) => u.id).sort(), ['broken', 'held', 'renamed']);
        const broken = left.find((u) => u.id === 'broken')!;
        assert.equal(broken.attempts, 1);
        assert.match(broken.lastError!, /no such member \[redacted\]/, 'the error is kept, redacted');
        assert.ok(Date.parse(broken.leaseUntil) > Date.now() + 20_000, 'tried again after its retry time, not on every pass');
        const renamed = left.find((u) => u.id === 'renamed')!;
        assert.match(renamed.lastError!, /the undo "restore-old-name" \(owed by "destroy-member"\) is not in scenarios\.actions/);
        assert.equal(left.find((u) => u.id === 'held')!.attempts, 0, "a live owner's row is not touched");
        assert.ok(
          lines.some((l) =>
            /^error owed undo failed: "restore-old-name" "app-5" for scenario run run-renamed \(one app member is destroyed, schedule member-loss\)/.test(l),
          ),
          lines.join('\n'),
        );
        assert.ok(lines.some((l) => /^info owed undo ran: "restore-member" "app-0" for scenario run run-app-0 .*, left by gone$/.test(l)));

        const again = await replayOwedUndos(deps(one, 'r1'));
        assert.deepEqual([again.ran.length, again.failed.length], [0, 0], 'nothing due before the retry time');
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    });

    it("a run's own row: not an undo; a pass records the run of a stopped owner interrupted (a scheduled one UNKNOWN), once, and leaves a live one", async () => {
      const location = await engine.fresh();
      const [one, two] = await Promise.all([openStore(location), openStore(location)]);
      const config = scenariosSchema.parse({ actions: { 'restore-member': { command: ['true'] } } });
      const lines: string[] = [];
      const log = { info: (_: object, m: string) => lines.push(m), error: (_: object, m: string) => lines.push(`error ${m}`) };
      const deps = (store: Store, owner: string) => ({ store, actions: { config, configDir: dir }, owner, log, redact: (s: string) => s });
      const begin = (store: Store, runId: string, owner: string, leaseUntil: Date, schedule?: string) =>
        store.undos.begin({
          id: `run:${runId}`,
          runId,
          scenario: 'one app member is destroyed',
          file: '/s/member-loss.feature',
          feature: 'Losing one member',
          line: 3,
          ...(schedule ? { schedule, fire: { trigger: 'schedule' as const, id: `fire-${runId}` } } : {}),
          owner,
          leaseUntil,
          createdAt: at(0),
        });
      try {
        const expired = new Date(Date.now() - 1_000);
        const alive = new Date(Date.now() + 60_000);
        await begin(one, 'killed-in-given', 'gone', expired, 'member-loss');
        await one.undos.progress('run:killed-in-given', { keyword: 'Given', text: 'the service "shop" is all green', line: 4, cleanup: false });
        await begin(one, 'going', 'alive', alive);
        // A live run whose own undo failed: due after its retry time, but the run is not over.
        await one.undos.owe({
          id: 'going-undo',
          undo: 'restore-member',
          action: 'destroy-member',
          params: { member: 'app-1' },
          runId: 'going',
          scenario: 'one app member is destroyed',
          owner: 'alive',
          leaseUntil: expired,
          createdAt: at(0),
        });
        await one.undos.failed('going-undo', 'exit 1', expired);
        assert.deepEqual(
          (await one.undos.list()).map((u) => u.id),
          ['going-undo'],
          "runs' rows are not undos (nor in vigil_scenario_undos_owed)",
        );
        assert.deepEqual(
          (await one.undos.due(new Date())).map((u) => u.id),
          ['going-undo'],
        );
        assert.deepEqual(
          (await two.undos.runsDue(new Date())).map((m) => [m.runId, m.at?.text, m.fire?.id]),
          [['killed-in-given', 'the service "shop" is all green', 'fire-killed-in-given']],
        );

        const [a, b] = await Promise.all([replayOwedUndos(deps(one, 'r1')), replayOwedUndos(deps(two, 'r2'))]);
        const recorded = [...a.recorded, ...b.recorded];
        assert.equal(recorded.length, 1, 'one process records it');
        const [killed] = recorded;
        assert.deepEqual([killed.id, killed.status, killed.file, killed.line], ['killed-in-given', 'interrupted', '/s/member-loss.feature', 3]);
        assert.deepEqual(
          killed.steps.map((s) => [s.keyword, s.text, s.line, s.status]),
          [['Given', 'the service "shop" is all green', 4, 'interrupted']],
        );
        assert.deepEqual(killed.cleanup, []);
        assert.match(killed.note!, /^the process running it \(gone\) stopped without recording it .*; no undo of it was owed any more; recorded by r[12]$/);
        assert.deepEqual(
          [killed.fire?.schedule, killed.fire?.trigger, killed.fire?.id, killed.fire?.state],
          ['member-loss', 'schedule', 'fire-killed-in-given', 3],
          'a harness fault: UNKNOWN, never OK',
        );
        assert.match(killed.fire!.line, /could not be carried out \(interrupted\): the process running it \(gone\) stopped during step "Given the service/);
        const stored = await one.scenarioRuns.list();
        assert.deepEqual(
          stored.map((r) => [r.id, r.status]),
          [['killed-in-given', 'interrupted']],
          'the live run is not recorded, though its failed undo was paid',
        );
        assert.deepEqual(
          (await one.undos.runs()).map((m) => m.runId),
          ['going'],
        );
        assert.deepEqual(await one.undos.list(), [], "the live run's due undo was paid");
        assert.deepEqual((await replayOwedUndos(deps(one, 'r1'))).recorded, [], 'recorded once');
        await one.undos.ended('run:going');
        assert.deepEqual(await one.undos.runs(), []);
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    });
  });
}
