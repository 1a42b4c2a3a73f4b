// The image, built from the repository's Dockerfile with podman and run for real (issue 20): what it
// contains (the Node and the Chromium the tests use, a non-root user, its labels and version), the
// bundled demo served and a run triggered through the API, `podman stop` in the middle of a run, a
// restart on the same volume, a bad config, a team's suite in a derived image (its own, older
// Playwright) and mounted as a volume, and the shipped compose definition next to a real Prometheus
// whose shipped alert rule fires on failing runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startDemo } from '../../demo/app.ts';
import { buildImage, gitRevision, IMAGE, packageVersion, podman, podmanProblem, removeContainer, secretArgs, until } from '../helpers/image.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { freePort } from '../helpers/nagios-nsca.ts';
import { prometheusAvailable, startPrometheus } from '../helpers/prometheus-server.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

const problem = podmanProblem();
const prefix = `vigil-test-${process.pid}`;
const token = `tok-${randomBytes(12).toString('hex')}`;
const adminToken = `adm-${randomBytes(12).toString('hex')}`;

interface Run {
  runId: string;
  status: string;
  errorPhase?: string;
  errorMessage?: string;
  tenant?: { name: string; state: string };
  playwrightVersion?: string;
  testResults?: Array<{ title: string }>;
}

/** A config the container reads from /etc/vigil (mounted read-only): the demo suite against `baseURL`. */
function configYaml(baseURL: string, extraSuites = ''): string {
  const auth = 'headers: { authorization: "Bearer ${DEMO_ADMIN_TOKEN}" }';
  return `store: /data/vigil.db
artifacts: { dir: /data/artifacts }
api: { token: "\${VIGIL_API_TOKEN:-}" }
environments:
  host: { baseURL: "${baseURL}", tenants: demo }
tenants:
  demo:
    kind: http
    timeout: 10s
    create: { method: POST, url: "{{environment.baseURL}}/admin/tenants", ${auth}, body: { name: "{{tenant.name}}" } }
    fields: { id: id, email: owner.email, password: owner.password }
    delete: { method: DELETE, url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}", ${auth} }
suites:
  demo: { path: /app/suites/demo, environments: [host], timeout: 3m, retries: 0 }
${extraSuites}`;
}

/** A folder the container's user (uid 1001) can read, holding these files. */
async function readableDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-image-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text, { mode: 0o644 });
  }
  return dir;
}

const hostVersion = (argv: string[]) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' }).stdout.trim();

describe('the image, built and run with podman', {
  skip: problem ? requireBinary('podman', false, 'podman runc uidmap fuse-overlayfs mmdebstrap') : false,
  timeout: 1_500_000,
}, () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  const cleanups: Array<() => Promise<unknown>> = [];
  let n = 0;

  /** `podman run -d` of IMAGE (or another) serving on a free port; returns its name and URL. */
  async function serve(opts: { args?: string[]; env?: Record<string, string>; volumes?: string[]; image?: string; name?: string; healthcheck?: boolean } = {}) {
    const name = opts.name ?? `${prefix}-${++n}`;
    const port = await freePort();
    // Not the image's port 9464 (tests run side by side on the host network): its HEALTHCHECK is told.
    const healthcheck = opts.healthcheck ? { VIGIL_HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` } : {};
    const env = Object.entries({ ...opts.env, ...healthcheck }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const volumes = (opts.volumes ?? []).flatMap((v) => ['-v', v]);
    const started = Date.now();
    const r = await podman([
      'run',
      '-d',
      '--name',
      name,
      ...env,
      ...volumes,
      opts.image ?? IMAGE,
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      ...(opts.args ?? []),
    ]);
    assert.equal(r.code, 0, `podman run: ${r.stderr}`);
    cleanups.push(() => removeContainer(name));
    const url = `http://127.0.0.1:${port}`;
    await until(
      async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined),
      60_000,
      async () => `${name} not ready in 60 s:\n${(await podman(['logs', name])).stderr.slice(-3000)}`,
    );
    return { name, url, readyMs: Date.now() - started };
  }
  const api = (url: string, p: string, init: RequestInit = {}) =>
    fetch(`${url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  /** POST /api/runs; a run of the pair already going (the bundled demo runs once at start) is waited for first. */
  const trigger = async (url: string, suite: string, environment: string): Promise<string> => {
    for (;;) {
      const res = await api(url, '/api/runs', { method: 'POST', body: JSON.stringify({ suite, environment }) });
      const body = (await res.json()) as { runId?: string; error?: string };
      if (res.status === 409 && body.runId) {
        await finished(url, body.runId);
        continue;
      }
      assert.equal(res.status, 202, JSON.stringify(body));
      return body.runId!;
    }
  };
  const finished = (url: string, runId: string, ms = 180_000) =>
    until(
      async () => {
        const body = (await (await api(url, `/api/runs/${runId}`)).json()) as Run & { state?: string };
        return body.state === 'finished' ? body : undefined;
      },
      ms,
      () => `run ${runId} did not finish`,
    );
  const demoTenants = async () =>
    ((await (await fetch(`${demo.url}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { tenants: Array<{ name: string }> })
      .tenants;

  before(async () => {
    const build = await buildImage();
    assert.equal(build.code, 0, `the image did not build:\n${build.stderr.slice(-4000)}`);
    demo = await startDemo({ port: 0, adminToken });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    await demo?.close();
  });

  it('holds the Node and the Chromium the tests run, a non-root user, and says its version like its labels', async () => {
    const run = (entrypoint: string, ...args: string[]) => podman(['run', '--rm', '--entrypoint', entrypoint, IMAGE, ...args]);
    assert.equal(
      (await run('node', '--version')).stdout.trim(),
      hostVersion([path.join(repoRoot, 'node_modules/.bin/node'), '--version']),
      'Node = node_modules/.bin/node',
    );
    assert.equal(
      (await run('/usr/lib/chromium/chromium-headless-shell', '--version')).stdout.trim(),
      hostVersion(['/usr/lib/chromium/chromium-headless-shell', '--version']),
      "Chromium = the tests' chromium-headless-shell",
    );
    assert.equal((await run('id', '-u')).stdout.trim(), '1001');
    assert.match((await run('npm', '--version')).stdout.trim(), /^\d+\.\d+\.\d+$/, 'npm, for derived images');

    const version = await podman(['run', '--rm', IMAGE, '--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${packageVersion()} (revision ${gitRevision().slice(0, 12)})\n`);
    const labels = JSON.parse((await podman(['image', 'inspect', '--format', '{{json .Labels}}', IMAGE])).stdout) as Record<string, string>;
    assert.equal(labels['org.opencontainers.image.version'], packageVersion());
    assert.equal(labels['org.opencontainers.image.revision'], gitRevision());
    assert.match(labels['org.opencontainers.image.source'], /^https:\/\//);
    const size = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).stdout.trim());
    assert.ok(size < 1_000_000_000, `the image is ${(size / 1e6).toFixed(0)} MB: under half of Playwright's ~2 GB`);
  });

  it('serves the bundled demo: /healthz and /readyz, a run triggered through the API passes and shows in /metrics and the UI; every process is the non-root user; the HEALTHCHECK passes', async () => {
    const c = await serve({ env: { VIGIL_API_TOKEN: token }, healthcheck: true });
    assert.equal(await (await fetch(`${c.url}/healthz`)).text(), 'ok\n');
    const runId = await trigger(c.url, 'demo', 'demo');
    const run = await finished(c.url, runId);
    assert.equal(run.status, 'passed', JSON.stringify(run));
    assert.equal(run.tenant?.state, 'destroyed');
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(metrics, /^probe_success\{suite="demo",environment="demo"\} 1$/m);
    assert.match(
      metrics,
      new RegExp(`^vigil_build_info\\{version="${packageVersion().replaceAll('.', '\\.')}",revision="${gitRevision()}",node="v[\\d.]+"\\} 1$`, 'm'),
    );
    const runPage = await (await fetch(`${c.url}/runs/${runId}`)).text();
    assert.match(runPage, /<span class="badge passed">passed<\/span>/);
    assert.match(runPage, new RegExp(`<footer>Vigil ${packageVersion().replaceAll('.', '\\.')} \\(revision ${gitRevision().slice(0, 12)}\\)</footer>`));
    const users = (await podman(['top', c.name, 'user', 'args'])).stdout.trim().split('\n').slice(1);
    assert.ok(users.length >= 2, users.join('\n'));
    for (const line of users) assert.match(line, /^vigil\s/, `a process not run by vigil: ${line}`);
    const health = await podman(['healthcheck', 'run', c.name]);
    assert.equal(health.code, 0, `HEALTHCHECK: ${health.stdout}${health.stderr}`);
  });

  it('podman stop during a run: the run is recorded as interrupted and its tenant deleted, the container exits 0 within the grace; a restart on the same volume keeps the history', async () => {
    const config = await readableDir({ 'vigil.yaml': configYaml(demo.url) });
    cleanups.push(() => rm(config, { recursive: true, force: true }));
    const volume = `${prefix}-data`;
    cleanups.push(() => podman(['volume', 'rm', '-f', volume]));
    const env = { VIGIL_CONFIG: '/etc/vigil/vigil.yaml', VIGIL_API_TOKEN: token, DEMO_ADMIN_TOKEN: adminToken };
    const volumes = [`${config}:/etc/vigil:ro`, `${volume}:/data`];
    const first = await serve({ env, volumes, args: ['--grace', '2s'] });
    const earlier = await finished(first.url, await trigger(first.url, 'demo', 'host'));
    assert.equal(earlier.status, 'passed', JSON.stringify(earlier));
    // Serving elsewhere than 9464 without VIGIL_HEALTHCHECK_URL: the HEALTHCHECK says so, it can fail.
    assert.equal((await podman(['healthcheck', 'run', first.name])).code, 1);

    const runId = await trigger(first.url, 'demo', 'host');
    const tenant = await until(
      async () => (await demoTenants()).find((t) => t.name.startsWith('vigil-demo-'))?.name,
      60_000,
      () => 'no tenant appeared in the demo app',
    );
    const stopped = Date.now();
    const stop = await podman(['stop', '-t', '30', first.name], { timeoutMs: 60_000 });
    const stopMs = Date.now() - stopped;
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(stopMs < 30_000, `stopped after ${stopMs} ms, before podman's SIGKILL at 30 s`);
    const state = JSON.parse((await podman(['inspect', '--format', '{{json .State}}', first.name])).stdout) as { ExitCode: number; OOMKilled: boolean };
    assert.equal(state.ExitCode, 0, (await podman(['logs', first.name])).stderr.slice(-3000));
    assert.deepEqual(await demoTenants(), [], `the tenant ${tenant} was deleted before the container exited`);
    const logs = (await podman(['logs', first.name])).stderr;
    assert.doesNotMatch(logs, /\n\s+at /, 'no stack trace in the logs');

    // A new container on the same volume: the history is there, with the interrupted run.
    const second = await serve({ env, volumes, name: `${prefix}-restarted` });
    const runs = ((await (await api(second.url, '/api/runs?suite=demo&environment=host')).json()) as { runs: Run[] }).runs;
    const interrupted = runs.find((r) => r.runId === runId);
    assert.ok(interrupted, `the stopped run is in the history: ${JSON.stringify(runs.map((r) => r.runId))}`);
    assert.deepEqual(
      [interrupted.status, interrupted.errorPhase, interrupted.tenant?.state],
      ['error', 'interrupted', 'destroyed'],
      JSON.stringify(interrupted),
    );
    assert.ok(
      runs.some((r) => r.runId === earlier.runId && r.status === 'passed'),
      'and the run before it',
    );
  });

  it('a bad config mounted in: the container exits 3 with the configuration error on stderr, no stack trace', async () => {
    const config = await readableDir({ 'vigil.yaml': configYaml(demo.url).replace('retries: 0', 'retires: 0') });
    cleanups.push(() => rm(config, { recursive: true, force: true }));
    const r = await podman([
      'run',
      '--rm',
      '-e',
      'VIGIL_CONFIG=/etc/vigil/vigil.yaml',
      '-e',
      `DEMO_ADMIN_TOKEN=${adminToken}`,
      '-v',
      `${config}:/etc/vigil:ro`,
      IMAGE,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^vigil: configuration error:\n {2}\/etc\/vigil\/vigil\.yaml: suites\.demo\.retires: unknown key — did you mean 'retries'\?$/m);
    assert.doesNotMatch(r.stderr, /\n\s+at |unexpected error/);
  });

  it("your suite in the image: a derived image with the suite's own npm ci runs its older Playwright; the demo suite mounted read-only runs on the image's", async () => {
    const pinned = (
      JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/old-playwright/package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    ).devDependencies['@playwright/test'];
    const hello = await startDemoHello();
    cleanups.push(hello.close);
    const context = await readableDir({
      'vigil.yaml': configYaml(
        demo.url,
        `  old: { path: /app/suites/old, environments: [hello], timeout: 3m }
`,
      )
        .replace('environments:\n', `environments:\n  hello: { baseURL: "${hello.url}", tenants: none }\n`)
        .replace(
          'tenants:\n',
          `tenants:\n  none: { kind: command, create: { command: ["node", "-e", "console.log(JSON.stringify({ id: 'x' }))"] }, delete: { command: ["true"] } }\n`,
        ),
      // A team's Dockerfile: the image, the suite and its own dependencies, the config.
      Dockerfile: `FROM ${IMAGE}
COPY --chown=vigil suites/old/ /app/suites/old/
RUN --mount=type=secret,id=ca,uid=1001 if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \\
 && cd /app/suites/old && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --include=dev --no-audit --no-fund
COPY vigil.yaml /etc/vigil/vigil.yaml
ENV VIGIL_CONFIG=/etc/vigil/vigil.yaml
`,
    });
    cleanups.push(() => rm(context, { recursive: true, force: true }));
    // The old-playwright fixture, with a test that says which Playwright it runs on.
    const fixture = path.join(repoRoot, 'test/fixtures/old-playwright');
    for (const f of ['package.json', 'package-lock.json', 'playwright.config.js', 'tests/hello.spec.js'])
      cpSync(path.join(fixture, f), path.join(context, 'suites/old', f));
    mkdirSync(path.join(context, 'suites/old/tests'), { recursive: true });
    writeFileSync(
      path.join(context, 'suites/old/tests/version.spec.js'),
      `const { test, expect } = require('@playwright/test');
const { version } = require(require.resolve('@playwright/test').replace(/index\\.js$/, 'package.json'));
test('runs on @playwright/test ' + version, async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Hello');
});
`,
    );
    spawnSync('chmod', ['-R', 'a+rX', context]);
    const derived = `${IMAGE}-derived-${process.pid}`;
    cleanups.push(() => podman(['rmi', '-f', derived]));
    const build = await podman(['build', '--pull=never', '--format', 'docker', ...secretArgs(), '-t', derived, context], { timeoutMs: 600_000 });
    assert.equal(build.code, 0, `derived image: ${build.stderr.slice(-3000)}`);

    const old = await podman(['run', '--rm', '-e', `DEMO_ADMIN_TOKEN=${adminToken}`, derived, 'run', '--suite', 'old', '--environment', 'hello', '--json'], {
      timeoutMs: 300_000,
    });
    assert.equal(old.code, 0, old.stderr.slice(-3000) + old.stdout);
    const oldRun = JSON.parse(old.stdout) as Run;
    assert.equal(oldRun.playwrightVersion, pinned, "the suite's own Playwright ran it, not the image's");
    assert.deepEqual(oldRun.testResults?.map((t) => t.title).sort(), ['old playwright shows hello', `runs on @playwright/test ${pinned}`]);

    // The volume way: config and the demo suite mounted read-only into a plain container.
    const config = await readableDir({ 'vigil.yaml': configYaml(demo.url) });
    cleanups.push(() => rm(config, { recursive: true, force: true }));
    const mounted = await podman(
      [
        'run',
        '--rm',
        '-e',
        'VIGIL_CONFIG=/etc/vigil/vigil.yaml',
        '-e',
        `DEMO_ADMIN_TOKEN=${adminToken}`,
        '-v',
        `${config}:/etc/vigil:ro`,
        '-v',
        `${path.join(repoRoot, 'suites/demo')}:/app/suites/demo:ro`,
        IMAGE,
        'run',
        '--suite',
        'demo',
        '--environment',
        'host',
        '--json',
      ],
      { timeoutMs: 300_000 },
    );
    assert.equal(mounted.code, 0, mounted.stderr.slice(-3000) + mounted.stdout);
    const run = JSON.parse(mounted.stdout) as Run;
    assert.equal(run.status, 'passed');
    assert.equal(
      run.playwrightVersion,
      (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@playwright/test/package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('the shipped compose definition of vigil, next to a real Prometheus with the shipped scrape config and alert rules: VigilSuiteFailing fires on failing runs', {
    skip: requireBinary('prometheus', prometheusAvailable(), 'prometheus'),
  }, async () => {
    const composeFile = path.join(repoRoot, 'docs/deploy/docker-compose.yml');
    const compose = parseYaml(readFileSync(composeFile, 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const service = compose.services.vigil;
    // Every key of the service is honoured here or named as not applying: a new key fails this test.
    const known = ['image', 'build', 'command', 'environment', 'volumes', 'ipc', 'init', 'stop_grace_period', 'ports', 'restart'];
    assert.deepEqual(
      Object.keys(service).filter((k) => !known.includes(k)),
      [],
      'keys this test does not translate to podman',
    );
    assert.equal(service.build, '../..', 'built from the repository (here: the image under test)');
    const command = service.command as string[];
    assert.deepEqual(command.slice(0, 1), ['serve']);
    const listen = command[command.indexOf('--listen') + 1];
    assert.match(listen, /^0\.0\.0\.0:9464$/);
    assert.deepEqual(service.ports, ['9464:9464']);

    // The compose folder as a team fills it in: vigil/vigil.yaml, suites/shop (the demo suite here).
    const composeDir = await readableDir({ 'vigil/vigil.yaml': configYaml(demo.url).replace('/app/suites/demo', '/app/suites/shop') });
    cleanups.push(() => rm(composeDir, { recursive: true, force: true }));
    cpSync(path.join(repoRoot, 'suites/demo'), path.join(composeDir, 'suites/shop'), { recursive: true });
    spawnSync('chmod', ['-R', 'a+rX', composeDir]);
    const env = Object.entries(service.environment as Record<string, string>).map(([k, v]) => [
      k,
      v.replace(/^\$\{(\w+):-\}$/, (_, name: string) => process.env[name] ?? ''),
    ]);
    const port = await freePort();
    const volumes = (service.volumes as string[]).map((v) => {
      const [source, ...rest] = v.split(':');
      return [source.startsWith('.') ? path.join(composeDir, source) : `${prefix}-${source}`, ...rest].join(':');
    });
    for (const v of volumes) if (v.startsWith(prefix)) cleanups.push(() => podman(['volume', 'rm', '-f', v.split(':')[0]]));
    const name = `${prefix}-compose`;
    const args = [
      'run',
      '-d',
      '--name',
      name,
      ...env.flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      '-e',
      `DEMO_ADMIN_TOKEN=${adminToken}`,
      '-e',
      `VIGIL_API_TOKEN=${token}`,
    ];
    args.push(...volumes.flatMap((v) => ['-v', v]));
    if (service.ipc === 'host') args.push('--ipc=host');
    // init: true is tini's job here already (the image's ENTRYPOINT); stop_grace_period is podman stop -t.
    args.push(IMAGE, ...command.map((a) => (a === listen ? `127.0.0.1:${port}` : a)));
    const started = await podman(args);
    assert.equal(started.code, 0, started.stderr);
    cleanups.push(() => removeContainer(name));
    const url = `http://127.0.0.1:${port}`;
    await until(
      async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined),
      60_000,
      async () => `compose vigil not ready:\n${(await podman(['logs', name])).stderr.slice(-3000)}`,
    );

    // Prometheus from the shipped prometheus.yml: the same rule file and job, the target where the
    // container listens, every second instead of every 30 s.
    const shipped = parseYaml(readFileSync(path.join(repoRoot, 'docs/deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const job = shipped.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.includes('vigil:9464')));
    assert.ok(job, 'the shipped prometheus.yml scrapes vigil:9464');
    const prometheus = await startPrometheus({
      jobs: { [job.job_name]: [`127.0.0.1:${port}`] },
      rules: readFileSync(path.join(repoRoot, 'dashboards/prometheus/vigil-alerts.yml'), 'utf8'),
    });
    cleanups.push(() => prometheus.stop());

    // The app breaks (search answers 500): two failed runs in a row page.
    const faults = await fetch(`${demo.url}/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ search: true }),
    });
    assert.equal(faults.status, 200);
    cleanups.push(() =>
      fetch(`${demo.url}/admin/faults`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ search: false }),
      }),
    );
    for (let i = 0; i < 2; i++) {
      const run = await finished(url, await trigger(url, 'demo', 'host'));
      assert.equal(run.status, 'failed', JSON.stringify(run));
    }
    const alert = await until(
      async () => {
        const res = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
          data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
        };
        return res.data.alerts.find((a) => a.labels.alertname === 'VigilSuiteFailing' && a.state === 'firing');
      },
      60_000,
      () => 'VigilSuiteFailing did not fire',
    );
    assert.deepEqual([alert.labels.suite, alert.labels.environment, alert.labels.severity], ['demo', 'host', 'critical']);
  });
});

/** A page with <h1>Hello</h1> on 127.0.0.1, what the old-playwright fixture's test expects. */
async function startDemoHello(): Promise<{ url: string; close: () => Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>hello</title><h1>Hello</h1>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
