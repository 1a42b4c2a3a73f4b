// Monitoring coverage as a check inside a real `vigil serve` (issue 19, docs/model.md "Coverage as a
// check"), on the example stack: the node's pool (the real HAProxy's backend, through its runtime API)
// against the members the real Nagios checks, evaluated every second; its passive service read back
// from the real Nagios' status.dat. A server added to HAProxy at run time takes traffic unmonitored:
// CRITICAL naming it, on /api/model, on the Model page and on /metrics; removed again: OK. An unchanged
// coverage is not re-sent every evaluation. The Prometheus pool source (HAProxy's own exporter as the
// stack's Prometheus scrapes it) names the same members as the runtime API; a Prometheus that does not
// answer is "cannot tell", never an empty pool.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { freePort } from '../../demo/stack/free-port.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue } from '../service/serve-harness.ts';

const SERVICE = 'coverage-shop';
const BLUE = 'coverage-blue';
const RUNTIME_POOL = /pool: \{ haproxy: \{ socket: (\S+), backend: app \} \}/;

interface CoverageAnswer {
  node: string;
  answer: string;
  state: string;
  poolReadAt: string;
  gaps: Array<{ kind: string; member: string; poolState?: string }>;
  covered: Array<{ member: string; poolState: string }>;
}

describe('coverage as a passive check in vigil serve (example stack)', { skip: stackSkip(), timeout: 240_000 }, () => {
  let stack: Stack;
  let serve: ReturnType<typeof spawnVigil>;
  let url: string;
  let log = '';
  let modelYaml: string;
  const passive = async () => (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === SERVICE && e.checked);
  /** The passive service's block in status.dat: the fields StatusEntry leaves out (perfdata, long output). */
  const statusBlock = async () => {
    const text = await readFile(stack.nagios.statusFile, 'utf8');
    const block = text
      .split(/\n\s*}\n/)
      .find((b) => b.includes('servicestatus {') && b.includes('host_name=vigil') && b.includes(`service_description=${SERVICE}\n`));
    return Object.fromEntries(
      (block ?? '').split('\n').flatMap((l) => (/^\s+\w+=/.test(l) ? [[l.trim().split('=')[0], l.trim().slice(l.trim().indexOf('=') + 1)]] : [])),
    );
  };
  /** `eventually`, failing with what serve logged by then. */
  const until = <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number) =>
    eventually(
      async () => {
        if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}`);
        return probe();
      },
      what,
      timeoutMs,
      300,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nserve's log:\n${log.slice(-3000)}`);
    });
  const passiveUntil = async (done: (e: { state: number; output: string }) => boolean, what: string) => {
    let last: unknown;
    return until(
      async () => {
        const e = await passive();
        last = e;
        return e && done(e) ? e : undefined;
      },
      what,
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nNagios has: ${JSON.stringify(last)}`);
    });
  };
  const coverageCli = async (pool: string, ...args: string[]) => {
    const file = join(stack.dir, `vigil-coverage-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, `store: ${join(stack.dir, 'cli.db')}\n${modelYaml.replace(RUNTIME_POOL, pool)}`);
    return runVigil(['model', 'coverage', 'shop', '--json', '--config', file, ...args], { timeoutMs: 60_000 });
  };

  before(async () => {
    stack = await startStack({ members: 3, passive: [SERVICE, BLUE] });
    modelYaml = stack.modelYaml({ suite: false });
    assert.match(modelYaml, RUNTIME_POOL);
    // The stack's whole vigil.yaml (its suite is not scheduled: nothing runs but the model).
    const served = stack
      .vigilYaml({ suite: false })
      .replace(RUNTIME_POOL, (pool) => `${pool.slice(0, -2)}, nagios: { host: vigil, service: ${SERVICE} } }`)
      .replace(/^ {2}freshness: 30s$/m, '  evaluateEvery: 1s\n  freshness: 30s')
      // A pool that cannot be read: a backend HAProxy does not have.
      .replace(
        /^ {2}nodes:\n/m,
        (nodes) =>
          `${nodes}    - name: blue\n      pool: { haproxy: { socket: ${stack.haproxy.socket}, backend: blue }, nagios: { host: vigil, service: ${BLUE} } }\n`,
      );
    const config = join(stack.dir, 'vigil-serve.yaml');
    await writeFile(config, `${served}exporters:\n  nagios:\n    commandFile: ${stack.nagios.commandFile}\n`);
    serve = spawnVigil(['serve', '--config', config, '--listen', '127.0.0.1:0'], { env: { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_LOG_FORMAT: 'json' } });
    serve.stderr!.on('data', (d: Buffer | string) => (log += d.toString()));
    url = await until(async () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1], 'vigil serving', 60_000);
  });
  after(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    await stack?.stop();
  });

  it('covered: OK with the counts as perfdata, and not re-sent while it stays the same', async () => {
    const ok = await passiveUntil((e) => e.state === 0, 'the coverage OK in Nagios');
    assert.equal(ok.output, 'OK - shop: covered, all 3 in the pool are monitored');
    const block = await statusBlock();
    assert.equal(block.performance_data, 'unmonitored=0;;;0 not_in_pool=0;;;0 disabled=0;;;0 pool=3;;;0 monitored=3;;;0');
    assert.match(
      block.long_plugin_output,
      /^pool: HAProxy backend app \(runtime API .*haproxy\.sock\), read \d{4}-.*\\ncovered \(3\): app-0 \(UP\), app-1 \(UP\), app-2 \(UP\)$/,
    );
    const full = (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === SERVICE)!;
    // Evaluated every second; the refresh is 5 minutes: the same answer is not sent again.
    await sleep(4_000);
    const later = (await passive())!;
    assert.equal(later.lastCheck, full.lastCheck, 'an unchanged coverage is not re-sent every evaluation');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_model_coverage_state', { node: 'shop' }), 0);
    assert.equal(metricValue(metrics, 'vigil_model_coverage_up', { node: 'shop' }), 1);
  });

  it('a server added to HAProxy but not to Nagios: CRITICAL naming it, on /api/model, the Model page and /metrics; removed: OK', async (t) => {
    const port = stack.members[0].port;
    assert.match(await stack.haproxy.runtime(`add server app/app-9 127.0.0.1:${port} check`), /New server registered/);
    await stack.haproxy.runtime('enable health app/app-9');
    await stack.haproxy.runtime('enable server app/app-9');
    const enabledAt = Date.now();
    const critical = await passiveUntil((e) => e.state === 2, 'the coverage CRITICAL in Nagios');
    t.diagnostic(
      `${critical.output} — in Nagios ${((Date.now() - enabledAt) / 1000).toFixed(1)} s after app-9 was enabled (evaluateEvery 1s, status.dat every 1 s)`,
    );
    assert.equal(critical.output, 'CRITICAL - shop: 1 coverage gap — unmonitored: app-9 (UP)');
    const block = await statusBlock();
    assert.match(block.performance_data, /^unmonitored=1;;;0 not_in_pool=0;;;0 disabled=0;;;0 pool=4;;;0 monitored=3;;;0$/);
    assert.match(block.long_plugin_output, /\\nunmonitored: app-9: in the pool \(UP\), but shop has no member app-9 in the monitoring\\n/);

    const listed = await ask(`${url}/api/model`);
    const coverage = (listed.json.coverage as CoverageAnswer[]).find((c) => c.node === 'shop')!;
    assert.equal(coverage.node, 'shop');
    assert.equal(coverage.state, 'CRITICAL');
    assert.deepEqual(
      coverage.gaps.map((g) => `${g.kind} ${g.member} ${g.poolState}`),
      ['unmonitored app-9 UP'],
    );
    assert.ok(Math.abs(Date.parse(coverage.poolReadAt) - Date.now()) < 30_000, coverage.poolReadAt);
    const one = await ask(`${url}/api/model/shop`);
    assert.equal((one.json.coverage as CoverageAnswer).answer, 'gaps');
    assert.equal((await ask(`${url}/api/model/shop/app-0`)).json.coverage, undefined, 'a member has no pool of its own');
    const page = await (await fetch(`${url}/model/shop`)).text();
    assert.match(page, /Coverage of shop/);
    assert.match(page, /<b>unmonitored<\/b> \(1\)<ul><li class="why">app-9: in the pool \(UP\), but shop has no member app-9 in the monitoring<\/li>/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_model_coverage_state', { node: 'shop' }), 2);
    assert.equal(metricValue(metrics, 'vigil_model_coverage_gaps', { node: 'shop', kind: 'unmonitored' }), 1);

    // The Prometheus pool source sees the same pool: HAProxy's exporter, scraped every second.
    const fromPrometheus = await eventually(
      async () => {
        const r = await coverageCli(`pool: { prometheus: { query: 'haproxy_server_status{proxy="app"} == 1' } }`);
        return r.stdout.includes('app-9') ? r : undefined;
      },
      'app-9 in the Prometheus answer',
      20_000,
      500,
    );
    const fromRuntime = await coverageCli(modelYaml.match(RUNTIME_POOL)![0]);
    const members = (r: { stdout: string }) => {
      const c = JSON.parse(r.stdout) as CoverageAnswer;
      return { gaps: c.gaps.map((g) => `${g.kind} ${g.member} ${g.poolState}`), covered: c.covered.map((m) => `${m.member} ${m.poolState}`) };
    };
    assert.equal(fromPrometheus.code, 2, fromPrometheus.stdout + fromPrometheus.stderr);
    assert.deepEqual(members(fromPrometheus), members(fromRuntime));
    assert.deepEqual(members(fromPrometheus), { gaps: ['unmonitored app-9 UP'], covered: ['app-0 UP', 'app-1 UP', 'app-2 UP'] });

    await stack.haproxy.runtime('set server app/app-9 state maint');
    assert.match(await stack.haproxy.runtime('del server app/app-9'), /Server deleted/);
    const ok = await passiveUntil((e) => e.state === 0, 'the coverage OK again in Nagios');
    assert.equal(ok.output, 'OK - shop: covered, all 3 in the pool are monitored');
  });

  it("the Prometheus source: HAProxy's one series per state is one member in the state whose value is 1; a series without the label is refused", async () => {
    // app-9, deleted by the spec before, leaves Prometheus' answer at its next scrape (a second).
    const all = await until(
      async () => {
        const r = await coverageCli(`pool: { prometheus: { query: 'haproxy_server_status{proxy="app"}' } }`);
        return r.code === 0 ? r : undefined;
      },
      'the Prometheus pool covered',
      20_000,
    );
    const answer = JSON.parse(all.stdout) as CoverageAnswer;
    assert.deepEqual(
      answer.covered.map((m) => `${m.member} ${m.poolState}`),
      ['app-0 UP', 'app-1 UP', 'app-2 UP'],
    );
    const unlabelled = await coverageCli(`pool: { prometheus: { query: 'sum by (proxy) (haproxy_server_status{proxy="app"})' } }`);
    assert.equal(unlabelled.code, 3, unlabelled.stdout + unlabelled.stderr);
    assert.match((JSON.parse(unlabelled.stdout) as { problems: string[] }).problems[0], /a series of the answer has no label "server": \{proxy="app"\}$/);
  });

  it('a Prometheus that does not answer, or answers no series: cannot tell (exit 3), never an empty pool', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const file = join(stack.dir, 'vigil-coverage-noprom.yaml');
    const pool = `pool: { prometheus: { query: 'haproxy_server_status{proxy="app"} == 1' } }`;
    await writeFile(file, `store: ${join(stack.dir, 'cli.db')}\n${modelYaml.replace(RUNTIME_POOL, pool).replace(stack.prometheusUrl, closed)}`);
    // The model's own Prometheus check cannot be read either; the pool's problem is named all the same.
    const down = await runVigil(['model', 'coverage', 'shop', '--config', file], { timeoutMs: 60_000 });
    assert.equal(down.code, 3, down.stdout + down.stderr);
    assert.match(
      down.stdout,
      /^ {2}pool: Prometheus haproxy_server_status\{proxy="app"\} == 1 \(label server\): cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/m,
    );
    const none = await coverageCli(`pool: { prometheus: { query: 'haproxy_server_status{proxy="blue"} == 1' } }`);
    assert.equal(none.code, 3, none.stdout + none.stderr);
    const answer = JSON.parse(none.stdout) as { answer: string; problems: string[] };
    assert.equal(answer.answer, 'cannot-ask');
    assert.match(answer.problems[0], /no series answer .* an empty pool is not believed/);
  });

  it('a pool that cannot be read: UNKNOWN naming why, in Nagios and on /api/model, no gap counts', async () => {
    const unknown = await until(
      async () => (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === BLUE && e.checked),
      'the blue coverage in Nagios',
      30_000,
    );
    assert.equal(unknown.state, 3);
    assert.equal(
      unknown.output,
      `UNKNOWN - blue: cannot tell whether the monitoring covers the pool: pool: HAProxy backend blue (runtime API ${stack.haproxy.socket}): HAProxy has no backend "blue"`,
    );
    const listed = (await ask(`${url}/api/model`)).json.coverage as Array<CoverageAnswer & { problems?: string[] }>;
    const blue = listed.find((c) => c.node === 'blue')!;
    assert.deepEqual([blue.answer, blue.state], ['cannot-ask', 'UNKNOWN']);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_model_coverage_state', { node: 'blue' }), 3);
    assert.equal(metricValue(metrics, 'vigil_model_coverage_up', { node: 'blue' }), 0);
    assert.equal(metricValue(metrics, 'vigil_model_coverage_gaps', { node: 'blue', kind: 'unmonitored' }), undefined);
  });

  it('a member deleted from the backend that Nagios still checks: WARNING naming it (someone is paged about a server nobody uses)', async () => {
    await stack.haproxy.runtime('set server app/app-2 state maint');
    assert.match(await stack.haproxy.runtime('del server app/app-2'), /Server deleted/);
    const warning = await passiveUntil((e) => e.state === 1, 'the coverage WARNING in Nagios');
    assert.equal(warning.output, 'WARNING - shop: 1 coverage gap — not in the pool: app-2');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_model_coverage_state', { node: 'shop' }), 1);
    assert.equal(metricValue(metrics, 'vigil_model_coverage_gaps', { node: 'shop', kind: 'not-in-pool' }), 1);
  });
});
