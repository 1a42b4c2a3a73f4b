// Locations for real (issue 18): three `vigil serve` on one PostgreSQL 15, in eu-west, us-east and
// ap-south, delivering to one real Nagios. A suite listing [eu-west, us-east] with minFailedLocations 2
// runs each fire once per listed location (never from ap-south); a suite without locations runs once
// cluster-wide. Its test breaks from the locations a file names (read at each run through VIGIL_LOCATION),
// and the pair's Nagios state and gauges follow the rule: OK, WARNING naming the one failing location,
// CRITICAL from both; and with one failing and the other silent (its replica killed), UNKNOWN —
// the silent one could make it CRITICAL.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable, startNagios, type NagiosServer, type StatusBlock } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuiteDir, startServe, type Served } from '../service/serve-harness.ts';

const token = newToken();
const EVERY_5S = '*/5 * * * * *';
const HOST = 'local';
const LOCATED = 'synthetic-located';

describe('locations on replicas', {
  skip: requireBinary('postgres', postgresAvailable(), 'postgresql-15') || requireBinary('nagios4', nagiosAvailable()),
  timeout: 600_000,
}, () => {
  let server: TestPostgres;
  let nagios: NagiosServer;
  let e: E2E;
  let url: string;
  let db: pg.Client;
  let failFrom: string;
  const replicas = new Map<string, Served>();
  const serve = async (location: string) => {
    const r = await startServe(e, { token, args: ['--replica', `r-${location}`, '--location', location], env: { VIGIL_DATABASE_URL: url } });
    replicas.set(location, r);
    return r;
  };
  const located = async (predicate: (s: StatusBlock) => boolean, what: string) =>
    nagios.waitForService(HOST, LOCATED, predicate, 40_000).catch(async (err) => {
      throw new Error(`${what}: ${(err as Error).message}; Nagios has ${JSON.stringify(await nagios.serviceStatus(HOST, LOCATED))}`);
    });
  const newestRuns = async (since: string) =>
    (
      await db.query<{ location: string; status: string }>(
        `SELECT location, status FROM runs WHERE suite = 'located' AND started_at > $1 ORDER BY started_at`,
        [since],
      )
    ).rows;

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    nagios = await startNagios({
      services: [
        { host: HOST, service: LOCATED },
        { host: HOST, service: 'synthetic-anywhere' },
      ],
    });
    e = await setupE2E();
    failFrom = path.join(e.dir, 'fail-from');
    await writeFile(failFrom, '');
    const quick = (name: string, extra = '') => `
  ${name}:
    path: ${quickSuiteDir}
    environments: [local]
    timeout: 1m
    schedule: "${EVERY_5S}"
    env: { QUICK_FAIL_FROM: "${failFrom}" }${extra}`;
    await e.writeConfig({
      suite: quick('located', '\n    locations: [eu-west, us-east]\n    minFailedLocations: 2\n    locationStaleAfter: 20s') + quick('anywhere'),
      exporters: `\n  nagios:\n    commandFile: ${nagios.commandFile}`,
    });
    const yaml = (await readFile(e.configFile, 'utf8')).replace(/^store: .*$/m, 'store: "${VIGIL_DATABASE_URL}"');
    await writeFile(e.configFile, `${yaml}api:\n  token: "\${VIGIL_API_TOKEN:-}"\n  concurrency: 2\n  lease: 10s\n`);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    for (const location of ['eu-west', 'us-east', 'ap-south']) await serve(location);
  });
  after(async () => {
    await Promise.all([...replicas.values()].map((r) => r.stop()));
    await db?.end();
    await e?.close();
    await nagios?.stop();
    await server?.stop();
  });

  it('each fire runs once per listed location, never from an unlisted one; a suite without locations runs once cluster-wide', async () => {
    const since = new Date().toISOString();
    await located((s) => s.current_state === '0' && s.plugin_output.includes('passed from all 2 locations'), 'OK from both');
    await eventually(async () => ((await newestRuns(since)).length >= 4 ? true : undefined), 'runs from both locations');
    const runs = await newestRuns(since);
    assert.deepEqual([...new Set(runs.map((r) => r.location))].sort(), ['eu-west', 'us-east'], 'located runs come from the listed locations only');
    assert.ok(
      runs.every((r) => r.status === 'passed'),
      JSON.stringify(runs),
    );

    const fires = (await db.query<{ pair_key: string; fire_at: string; replica: string }>('SELECT pair_key, fire_at, replica FROM fires')).rows;
    const keys = new Set(fires.map((f) => f.pair_key));
    assert.deepEqual(
      [...keys].sort(),
      ['anywhere@local', 'located@local@eu-west', 'located@local@us-east'],
      'a fire per location for the located suite, one for the other',
    );
    for (const f of fires.filter((x) => x.pair_key.startsWith('located@')))
      assert.equal(f.replica, `r-${f.pair_key.split('@')[2]}`, `${f.pair_key} taken by its location's replica`);
    // Each tick of the located suite: one fire per location, at the same moment.
    const ticks = Map.groupBy(
      fires.filter((f) => f.pair_key.startsWith('located@')),
      (f) => f.fire_at,
    );
    const complete = [...ticks.values()].filter((t) => t.length === 2).length;
    assert.ok(complete >= 1, `ticks with both locations: ${complete} of ${ticks.size}`);
    // The suite without locations ran from wherever, once per fire (the primary key) and not per location.
    const anywhere = (
      await db.query<{ n: string; fires: string }>(
        `SELECT (SELECT COUNT(*) FROM runs WHERE suite = 'anywhere' AND trigger = 'schedule') AS n, (SELECT COUNT(*) FROM fires WHERE pair_key = 'anywhere@local') AS fires`,
      )
    ).rows[0];
    assert.ok(Number(anywhere.n) <= Number(anywhere.fires), `runs of anywhere ${anywhere.n} ≤ its fires ${anywhere.fires}`);

    // A trigger runs from the replica's location; a replica in an unlisted location refuses it.
    const eu = replicas.get('eu-west')!;
    // The pair fires every 5 s: a trigger landing while this replica runs it gets 409 naming that run (as
    // on one replica); try again once it is over.
    const triggered = await eventually(
      async () => {
        const r = await ask(`${eu.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'located', environment: 'local', wait: true }) });
        return r.status === 409 ? undefined : r;
      },
      'a trigger between scheduled runs',
      30_000,
      200,
    );
    assert.equal(triggered.status, 200, JSON.stringify(triggered.json));
    assert.equal((triggered.json as { location?: string }).location, 'eu-west');
    const refused = await ask(`${replicas.get('ap-south')!.url}/api/runs`, {
      method: 'POST',
      token,
      body: JSON.stringify({ suite: 'located', environment: 'local' }),
    });
    assert.equal(refused.status, 421, JSON.stringify(refused.json));
    assert.match(JSON.stringify(refused.json), /runs from eu-west, us-east; this replica is in ap-south/);
    const byLocation = await ask(`${eu.url}/api/runs?suite=located&location=us-east&limit=5`, { token });
    const listed = (byLocation.json as { runs: Array<{ location: string }> }).runs;
    assert.ok(
      listed.length > 0 && listed.every((r) => r.location === 'us-east'),
      `runs filtered by location: ${JSON.stringify(listed.map((r) => r.location))}`,
    );
  });

  it('one location failing is WARNING naming it; both are CRITICAL; every replica exports each location and the pair by the rule', async () => {
    await writeFile(failFrom, 'us-east');
    const warning = await located((s) => s.current_state === '1', 'WARNING with us-east failing');
    assert.match(warning.plugin_output, /^WARNING - located: failing from us-east only \(1 of 2 locations, CRITICAL from 2\): answers quickly/);
    assert.match(warning.long_plugin_output, /us-east: CRITICAL - 1 of 1 test failed/);
    assert.match(warning.long_plugin_output, /eu-west: OK - 1 test passed/);
    assert.match(warning.performance_data, /failing_locations=1;;2;0;2/);
    // The replica that never runs the suite exports the cluster's state of it, per location.
    await eventually(
      async () => {
        const m = await (await fetch(`${replicas.get('ap-south')!.url}/metrics`)).text();
        const us = metricValue(m, 'vigil_location_probe_success', { suite: 'located', environment: 'local', location: 'us-east' });
        return us === 0 ? m : undefined;
      },
      'ap-south to see us-east fail',
      20_000,
    ).then((m) => {
      assert.equal(metricValue(m, 'vigil_location_probe_success', { suite: 'located', environment: 'local', location: 'eu-west' }), 1);
      assert.equal(metricValue(m, 'probe_success', { suite: 'located', environment: 'local' }), 1, 'one failing location of two needed: the pair is not down');
      assert.equal(metricValue(m, 'vigil_last_run_status', { suite: 'located', environment: 'local', status: 'flaky' }), 1, 'WARNING');
    });

    await writeFile(failFrom, 'us-east eu-west');
    const critical = await located((s) => s.current_state === '2', 'CRITICAL from both');
    assert.match(critical.plugin_output, /^CRITICAL - located: failing from eu-west, us-east \(2 of 2 locations, CRITICAL from 2\)/);
    const m = await eventually(
      async () => {
        const text = await (await fetch(`${replicas.get('eu-west')!.url}/metrics`)).text();
        return metricValue(text, 'probe_success', { suite: 'located', environment: 'local' }) === 0 ? text : undefined;
      },
      'the pair down in the gauges',
      20_000,
    );
    assert.ok((metricValue(m, 'vigil_consecutive_failures', { suite: 'located', environment: 'local' }) ?? 0) >= 1);
    // The suite without locations is unaffected (it reads the same file but runs from wherever; no test of it fails from a place it does not list).
  });

  it('a location that is not a name is refused before anything starts, naming where it came from', async () => {
    for (const [args, env, where] of [
      [['--location', 'EU West'], {}, '--location'],
      [[], { VIGIL_LOCATION: 'eu/west' }, 'VIGIL_LOCATION'],
    ] as const) {
      const r = await runVigil(['serve', '--config', e.configFile, '--listen', '127.0.0.1:0', ...args], {
        env: { ...e.env, VIGIL_DATABASE_URL: url, ...env },
        timeoutMs: 30_000,
      });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`${where}: "[^"]+" is not a location name`));
    }
  });

  it('with one location failing and the other silent, the pair is UNKNOWN: the silent one could make it CRITICAL', async () => {
    await writeFile(failFrom, 'us-east');
    // eu-west goes quiet: its replica is killed (no shutdown, no hand-over).
    replicas.get('eu-west')!.child.kill('SIGKILL');
    await replicas
      .get('eu-west')!
      .stop()
      .catch(() => {});
    replicas.delete('eu-west');
    const unknown = await located((s) => s.current_state === '3', 'UNKNOWN once eu-west is silent for 20 s');
    assert.match(
      unknown.plugin_output,
      /^UNKNOWN - located: failing from us-east .*no answer from eu-west \((no run for \d+ s|runner fault: the run was interrupted)\), which could change the state/,
    );
    // Back in eu-west: the next answer decides again.
    await serve('eu-west');
    await located((s) => s.current_state === '1' && s.plugin_output.includes('failing from us-east only'), 'WARNING again once eu-west answers');
  });
});
