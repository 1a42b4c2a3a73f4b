// Replicas for real (issue 18): three `vigil serve` child processes on one PostgreSQL 15, quick suites
// firing every 10 s. Every fire of every pair runs exactly once cluster-wide, none is missed, no pair
// overlaps itself; any replica shows the whole cluster; a replica killed with SIGKILL in the middle of
// a run has that run recorded as interrupted by another within the lease, its tenant deleted, and the
// pair's next fire runs elsewhere. And on the embedded store: a replica restarted under its name takes
// back the run its previous process left.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { ask, eventually, newToken, quickSuite, startServe, type Served } from '../service/serve-harness.ts';

interface RunRow {
  run_id: string;
  suite: string;
  status: string;
  error_phase: string | null;
  started_at: string;
  finished_at: string;
  trigger: string;
  result: string;
}

// Every 10 s: six pairs on two cores shared with another test file; every 5 s made runs queue past
// their next fire (a correct busy skip, but one that leaves too few runs to prove exactly-once on).
const EVERY_10S = '*/10 * * * * *';
const TICK_MS = 10_000;
const token = newToken();

/** The E2E config with `store:` pointing at `store` (a URL from the environment, or a file). */
async function useStore(e: E2E, suites: string, store: string, api: Record<string, string | number>) {
  await e.writeConfig({ suite: suites });
  const yaml = (await readFile(e.configFile, 'utf8')).replace(/^store: .*$/m, `store: ${JSON.stringify(store)}`);
  const apiLines = Object.entries(api).map(([k, v]) => `  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  await writeFile(e.configFile, `${yaml}api:\n${apiLines.join('\n')}\n`);
}

describe('replicas on one PostgreSQL', { skip: requireBinary('postgres', postgresAvailable(), 'postgresql-15'), timeout: 600_000 }, () => {
  let server: TestPostgres;
  let e: E2E;
  let url: string;
  let db: pg.Client;
  const replicas: Served[] = [];
  const pairs = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
  const serve = (name: string) => startServe(e, { token, args: ['--replica', name], env: { VIGIL_DATABASE_URL: url } });

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    e = await setupE2E();
    await useStore(
      e,
      [...pairs.map((p) => quickSuite(p, { schedule: EVERY_10S })), quickSuite('slow', { sleepMs: 60_000, timeout: '3m' })].join(''),
      '${VIGIL_DATABASE_URL}',
      {
        token: '${VIGIL_API_TOKEN:-}',
        concurrency: 2,
        lease: '10s',
      },
    );
    db = new pg.Client({ connectionString: url });
    await db.connect();
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await db?.end();
    await e?.close();
    await server?.stop();
  });

  it('three replicas: every fire of every pair runs exactly once, none is missed, a pair never overlaps itself', async (t) => {
    for (const name of ['r1', 'r2', 'r3']) replicas.push(await serve(name));
    const started = Date.now();
    await sleep(46_000);
    const windowEnd = new Date(Date.now() - 8_000).toISOString(); // fires after this may still be running
    const windowStart = new Date(started + 6_000).toISOString(); // every replica was up by then

    const fires = (
      await db.query<{ pair_key: string; fire_at: string; run_id: string; replica: string }>(
        'SELECT pair_key, fire_at, run_id, replica FROM fires WHERE fire_at >= $1 AND fire_at <= $2 ORDER BY fire_at',
        [windowStart, windowEnd],
      )
    ).rows;
    // A fire taken on a busy replica waits for a slot: give the window's fires time to end (or be skipped).
    const skippedAsBusy = (runId: string) =>
      replicas.some((r) =>
        r
          .log()
          .split('\n')
          .some((l) => l.includes('"reason":"busy"') && l.includes(`"runId":"${runId}"`)),
      );
    const scheduledRuns = async () => new Map((await db.query<RunRow>(`SELECT * FROM runs WHERE trigger = 'schedule'`)).rows.map((r) => [r.run_id, r]));
    let runs = await scheduledRuns();
    for (const until = Date.now() + 45_000; Date.now() < until; ) {
      if (fires.every((f) => runs.has(f.run_id) || skippedAsBusy(f.run_id))) break;
      await sleep(1_000);
      runs = await scheduledRuns();
    }

    // None missed: every 10-second tick in the window has a fire for every pair.
    const ticks = new Set(fires.map((f) => f.fire_at));
    const firstTick = Math.ceil(Date.parse(windowStart) / TICK_MS) * TICK_MS;
    const expected: string[] = [];
    for (let t = firstTick; t <= Date.parse(windowEnd); t += TICK_MS) expected.push(new Date(t).toISOString());
    assert.ok(expected.length >= 3, `ticks in the window: ${expected.length}`); // 32 s: 3 or 4 ten-second ticks
    for (const tick of expected) {
      assert.ok(ticks.has(tick), `no fire at ${tick}`);
      const taken = fires
        .filter((f) => f.fire_at === tick)
        .map((f) => f.pair_key)
        .sort();
      assert.deepEqual(taken, pairs.map((p) => `${p}@local`).sort(), `fires at ${tick}`);
    }
    // Exactly once: each fire has one run (the primary key allows one fire row; the run is its) — or,
    // when the pair's previous run was still going (two cores, three replicas: a run can outlast 10 s),
    // the replica that took it skipped it as busy, as a single Vigil does, and said so naming the fire's run.
    const logs = replicas.flatMap((r) => r.log().split('\n'));
    let busy = 0;
    for (const f of fires) {
      const run = runs.get(f.run_id);
      const suite = f.pair_key.split('@')[0];
      const skipped = skippedAsBusy(f.run_id);
      if (!run && skipped) {
        busy++;
        continue;
      }
      const said = () =>
        logs
          .filter((l) => l.includes(f.run_id) || (l.includes(suite) && /skip|not run|did not/.test(l)))
          .slice(0, 8)
          .join('\n');
      assert.ok(run, `fire ${f.pair_key} at ${f.fire_at} (taken by ${f.replica}) has no run; the replicas said:\n${said()}`);
      assert.equal(
        run.status,
        'passed',
        `${f.pair_key} at ${f.fire_at}: ${run.status} ${run.error_phase ?? ''}: ${(JSON.parse(run.result) as { errorMessage?: string }).errorMessage ?? run.result.slice(0, 300)}`,
      );
      assert.equal((JSON.parse(run.result) as { replica?: string }).replica, f.replica, 'run on the replica that took the fire');
    }
    // A busy skip is right (the pair's run outlasted its 10 s); this only keeps the spec from passing on
    // too few runs to prove exactly-once: at least one per pair. (A bound of a quarter of the fires was
    // too tight: with one of the two cores taken by a spin loop, 5 and then 9 of 18 were skipped.)
    t.diagnostic(`${busy} of ${fires.length} fires skipped as busy`);
    assert.ok(
      fires.length - busy >= pairs.length,
      `${busy} of ${fires.length} fires skipped as busy: ${fires.length - busy} runs, too few to prove exactly-once on`,
    );
    // And no scheduled run without a fire of its own: a second run of a fire would have none.
    const everyFire = new Set((await db.query<{ run_id: string }>('SELECT run_id FROM fires')).rows.map((f) => f.run_id));
    const unclaimed = [...runs.values()].filter((r) => !everyFire.has(r.run_id));
    assert.deepEqual(
      unclaimed.map((r) => `${r.suite} ${r.started_at}`),
      [],
      'scheduled runs without a fire',
    );
    // Never two runs of one pair at once, cluster-wide.
    for (const p of pairs) {
      const own = [...runs.values()].filter((r) => r.suite === p).sort((a, b) => (a.started_at < b.started_at ? -1 : 1));
      for (let i = 1; i < own.length; i++) assert.ok(own[i].started_at >= own[i - 1].finished_at, `${p}: ${own[i - 1].run_id} and ${own[i].run_id} overlap`);
    }
    // Spread over the replicas (each takes fires when it has room).
    const byReplica = new Map<string, number>();
    for (const f of fires) byReplica.set(f.replica, (byReplica.get(f.replica) ?? 0) + 1);
    assert.deepEqual([...byReplica.keys()].sort(), ['r1', 'r2', 'r3'], JSON.stringify(Object.fromEntries(byReplica)));
  });

  it('one view: any replica lists every run of the cluster, and a run going on another replica by its id', async () => {
    const [r1, r2] = replicas;
    const listed = (await ask(`${r1.url}/api/runs?limit=200`)).json.runs as Array<{ runId: string; replica?: string }>;
    assert.deepEqual(new Set(listed.map((r) => r.replica)), new Set(['r1', 'r2', 'r3']));
    const trigger = await ask(`${r2.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'slow', environment: 'local' }) });
    assert.equal(trigger.status, 202, JSON.stringify(trigger.json));
    const runId = String(trigger.json.runId);
    const seen = await eventually(async () => {
      const a = await ask(`${r1.url}/api/runs/${runId}`);
      return a.status === 200 && a.json.state === 'running' ? a.json : undefined;
    }, 'the slow run on r2, seen from r1');
    assert.equal(seen.replica, 'r2');
    const active = (await ask(`${r1.url}/api/runs`)).json.active as Array<{ runId: string; replica?: string }>;
    assert.ok(
      active.some((a) => a.runId === runId && a.replica === 'r2'),
      JSON.stringify(active),
    );
    // A second trigger of the same pair on another replica waits for it rather than running alongside.
    const busy = await ask(`${r1.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'slow', environment: 'local' }) });
    assert.equal(busy.status, 202);
    const queued = await eventually(async () => {
      const a = await ask(`${r1.url}/api/runs/${String(busy.json.runId)}`);
      return a.json.state === 'queued' ? a.json : undefined;
    }, 'the second slow run waiting on r1');
    assert.equal(queued.state, 'queued');
  });

  it('a replica killed with SIGKILL mid-run: another records the run as interrupted within the lease and deletes its tenant', async () => {
    const r2 = replicas[1];
    const slow = (await db.query<{ run_id: string; replica: string }>(`SELECT run_id, replica FROM active_runs WHERE suite = 'slow'`)).rows;
    assert.equal(slow.length, 1, JSON.stringify(slow));
    assert.equal(slow[0].replica, 'r2');
    const runId = slow[0].run_id;
    const tenant = await eventually(async () => (await e.adminTenants()).find((t) => t.name.startsWith('vigil-slow-')), "the slow run's tenant");
    const killedAt = Date.now();
    r2.child.kill('SIGKILL');
    await r2.child.done;
    const recorded = await eventually(
      async () => (await db.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId])).rows[0],
      'the killed run recorded by another replica',
      40_000,
      250,
    );
    const detectMs = Date.now() - killedAt;
    assert.deepEqual([recorded.status, recorded.error_phase], ['error', 'interrupted']);
    const result = JSON.parse(recorded.result) as { errorMessage: string; replica: string; tenant?: { name: string; state: string } };
    assert.match(
      result.errorMessage,
      /^replica r2 stopped renewing its lease \(it ran out at .*\): killed, or cut off from the database; recorded by replica r[13]$/,
    );
    assert.equal(result.tenant?.name, tenant.name);
    assert.equal(result.tenant?.state, 'destroyed');
    assert.ok(detectMs < 10_000 + 2_500 + 5_000, `recorded ${detectMs} ms after the kill (lease 10 s, sweep every 2.5 s)`);
    assert.equal(
      (await e.adminTenants()).some((t) => t.name === tenant.name),
      false,
      'the tenant is gone from the app',
    );
    // r1's waiting trigger now gets the pair: the slow suite runs again, elsewhere than r2.
    // (The killed run's own row is held by its recorder until recorded: the new run is another run id.)
    const again = await eventually(
      async () => (await db.query<{ replica: string }>(`SELECT replica FROM active_runs WHERE suite = 'slow' AND run_id <> $1`, [runId])).rows[0],
      'the slow pair running again',
    );
    assert.equal(again.replica, 'r1');
    replicas.splice(1, 1);
  });

  it("metrics: every replica exports each pair's last state, whichever replica ran it; each run is counted by one replica", async () => {
    const [r1, r3] = replicas;
    // Quiet: every scheduled pair paused cluster-wide (through one replica), the runs going allowed to end.
    for (const p of pairs) {
      const paused = await ask(`${r1.url}/api/pauses`, {
        method: 'POST',
        token,
        body: JSON.stringify({ suite: p, environment: 'local', for: '10m', reason: 'metrics check' }),
      });
      assert.equal(paused.status, 201, JSON.stringify(paused.json));
    }
    await eventually(
      async () => ((await db.query(`SELECT 1 FROM active_runs WHERE suite <> 'slow'`)).rowCount === 0 ? true : undefined),
      'the scheduled runs to end',
      20_000,
    );
    await sleep(6_000); // a pause is seen within a watcher tick (5 s)
    // A replica that fired just before it saw the pause: that run ends too.
    await eventually(
      async () => ((await db.query(`SELECT 1 FROM active_runs WHERE suite <> 'slow'`)).rowCount === 0 ? true : undefined),
      'the runs fired before the pause was seen to end',
      20_000,
    );
    const { metricValue } = await import('../service/serve-harness.ts');
    const scrape = async (r: Served) => (await fetch(`${r.url}/metrics`)).text();
    const newestRuns = async (p: string) =>
      (await db.query<RunRow>(`SELECT * FROM runs WHERE suite = $1 ORDER BY started_at DESC LIMIT 3`, [p])).rows
        .map(
          (r) =>
            `${r.run_id} ${r.status}/${r.error_phase ?? '-'} ${r.started_at}..${r.finished_at} by ${(JSON.parse(r.result) as { replica?: string }).replica}`,
        )
        .join('\n');
    // Each pair's newest run (Vigil's order: by start; an interrupted run of the killed replica may be
    // the newest of its pair when the pause came before the pair's next fire) against both exports.
    const compare = async () => {
      const newest = new Map(
        (
          await db.query<RunRow>(`SELECT DISTINCT ON (suite) * FROM runs WHERE suite <> 'slow' ORDER BY suite, started_at DESC, finished_at DESC, run_id DESC`)
        ).rows.map((r) => [r.suite, r]),
      );
      const scraped = { r1: await scrape(r1), r3: await scrape(r3) };
      for (const p of pairs) {
        const run = newest.get(p)!;
        const want = { last: Date.parse(run.finished_at) / 1000, success: run.status === 'passed' || run.status === 'flaky' ? 1 : 0 };
        for (const [name, m] of Object.entries(scraped)) {
          const got = {
            last: metricValue(m, 'vigil_last_run_timestamp_seconds', { suite: p, environment: 'local' }),
            success: metricValue(m, 'probe_success', { suite: p, environment: 'local' }),
          };
          if (got.last !== want.last || got.success !== want.success) {
            return {
              scraped,
              differs: `${name}: ${p} exported as ${JSON.stringify(got)}, its newest run says ${JSON.stringify(want)}; newest runs:\n${await newestRuns(p)}`,
            };
          }
        }
      }
      return { scraped };
    };
    // Gauges sync from the store every quarter lease (2.5 s): each replica's export agrees within a
    // few of them (four here, for a loaded CI machine), compared again until then.
    const syncBound = Date.now() + 10_000;
    let compared = await compare();
    while (compared.differs && Date.now() < syncBound) {
      await sleep(500);
      compared = await compare();
    }
    if (compared.differs) assert.fail(`not in sync 10 s after the runs ended: ${compared.differs}`);
    const { r1: m1, r3: m3 } = compared.scraped;
    // Counters: a replica counts the runs it ran (and the ones it recorded for a replica that stopped).
    const counted = (m: string, p: string) =>
      ['passed', 'flaky', 'failed', 'error'].reduce(
        (n, status) => n + (metricValue(m, 'vigil_runs_total', { suite: p, environment: 'local', status }) ?? 0),
        0,
      );
    for (const [name, m] of [
      ['r1', m1],
      ['r3', m3],
    ] as const) {
      const ran = (
        await db.query<{ suite: string; n: string }>(
          `SELECT suite, COUNT(*) AS n FROM runs WHERE (result::json->>'replica' = $1 OR result::json->>'errorMessage' LIKE '%recorded by replica ' || $1) AND suite <> 'slow' GROUP BY suite`,
          [name],
        )
      ).rows;
      for (const row of ran) assert.equal(counted(m, row.suite), Number(row.n), `${name}: runs of ${row.suite} it ran`);
    }
  });
});

describe('one replica on the embedded store', { timeout: 300_000 }, () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
    await useStore(e, quickSuite('slow', { sleepMs: 60_000, timeout: '3m' }), e.storeFile, { token: '${VIGIL_API_TOKEN:-}' });
  });
  after(() => e?.close());

  it('killed with SIGKILL mid-run and restarted under the same name, it records the run as interrupted and deletes its tenant at once', async () => {
    const first = await startServe(e, { token, args: ['--replica', 'solo'] });
    const trigger = await ask(`${first.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'slow', environment: 'local' }) });
    const runId = String(trigger.json.runId);
    const tenant = await eventually(async () => (await e.adminTenants()).find((t) => t.name.startsWith('vigil-slow-')), 'the tenant');
    first.child.kill('SIGKILL');
    await first.child.done;
    const second = await startServe(e, { token, args: ['--replica', 'solo'] });
    try {
      const run = await ask(`${second.url}/api/runs/${runId}`);
      assert.equal(run.status, 200, JSON.stringify(run.json));
      assert.deepEqual([run.json.status, run.json.errorPhase], ['error', 'interrupted']);
      assert.match(String(run.json.errorMessage), /^replica solo stopped during the run \(killed or restarted\) and took it back when it came up again$/);
      assert.equal(
        (await e.adminTenants()).some((t) => t.name === tenant.name),
        false,
        'deleted at start-up, not after the TTL',
      );
    } finally {
      await second.stop();
    }
  });
});
