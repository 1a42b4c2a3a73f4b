import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { healthyFaults, type Faults } from '../../demo/faults.ts';
import { createTenant, startTestDemo, type TestDemo } from './demo-harness.ts';

// Runs suites/demo exactly as a developer would (its own config, its own CLI), against a real demo
// app and a tenant made through the admin API; only the output folder and reporter are chosen here.

const ROOT = path.join(import.meta.dirname, '../..');
const SUITE_DIR = path.join(ROOT, 'suites/demo');
const PLAYWRIGHT_CLI = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
const RUN_LIMIT_MS = 120_000;

interface TestReport {
  title: string;
  status: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  errors: string[];
}
interface SuiteRun {
  code: number | null;
  tests: TestReport[];
  stderr: string;
}

interface JsonSuite {
  title: string;
  suites?: JsonSuite[];
  specs?: Array<{ title: string; tests: Array<{ status: TestReport['status']; results: Array<{ errors?: Array<{ message?: string }> }> }> }>;
}

function collect(suite: JsonSuite, parents: string[], into: TestReport[]): void {
  // The file-level suite's title is the file name; describes below it form the readable title.
  const titles = suite.title.endsWith('.ts') || !suite.title ? parents : [...parents, suite.title];
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests) {
      const errors = test.results.flatMap((r) => (r.errors ?? []).map((e) => e.message ?? ''));
      into.push({ title: [...titles, spec.title].join(' › '), status: test.status, errors });
    }
  }
  for (const child of suite.suites ?? []) collect(child, titles, into);
}

describe('suites/demo, the demo app’s own Playwright suite', () => {
  let demo: TestDemo;
  let outputRoot: string;
  before(async () => {
    demo = await startTestDemo();
    outputRoot = await mkdtemp(path.join(tmpdir(), 'vigil-demo-suite-'));
  });
  after(async () => {
    await demo.close();
    await rm(outputRoot, { recursive: true, force: true });
  });

  async function runSuite(faults: Partial<Faults>, extra: { args?: string[]; ci?: boolean } = {}): Promise<SuiteRun> {
    demo.setFaults({ ...healthyFaults(), ...faults });
    const tenant = await createTenant(demo);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BASE_URL: demo.url,
      VIGIL_TENANT_EMAIL: tenant.email,
      VIGIL_TENANT_PASSWORD: tenant.password,
      CHROMIUM_PATH: '/usr/bin/chromium',
    };
    delete env.CI;
    delete env.PLAYWRIGHT_JSON_OUTPUT_NAME;
    if (extra.ci) env.CI = '1';
    const outputDir = await mkdtemp(path.join(outputRoot, 'run-'));
    // Own process group, so a hung run can be killed with every Chromium it started.
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'test', '--reporter=json', `--output=${outputDir}`, ...(extra.args ?? [])], {
      cwd: SUITE_DIR,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), RUN_LIMIT_MS);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    let report: { suites: JsonSuite[] };
    try {
      report = JSON.parse(stdout);
    } catch {
      throw new Error(`playwright exited ${code} without a JSON report; stderr: ${stderr.slice(-2000)}`);
    }
    const tests: TestReport[] = [];
    for (const suite of report.suites) collect(suite, [], tests);
    return { code, tests, stderr };
  }

  const statuses = (run: SuiteRun) => Object.fromEntries(run.tests.map((t) => [t.title, t.status]));

  it('passes every test against a healthy app', { timeout: RUN_LIMIT_MS + 10_000 }, async () => {
    const run = await runSuite({});
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(statuses(run), {
      'signs in as the tenant owner': 'expected',
      'login › lands a signed-in owner on their notes': 'expected',
      'login › rejects a wrong password': 'expected',
      'notes › creates, edits and deletes a note': 'expected',
      'search › finds the one note that matches': 'expected',
      'files › uploads a file, lists it and downloads the same bytes': 'expected',
      'billing › upgrades plan by card': 'expected',
    });
  });

  it('fails only the search test, with a readable error, when search is broken', { timeout: RUN_LIMIT_MS + 10_000 }, async () => {
    const run = await runSuite({ search: true });
    assert.notEqual(run.code, 0);
    const failed = run.tests.filter((t) => t.status !== 'expected');
    assert.deepEqual(
      failed.map((t) => [t.title, t.status]),
      [['search › finds the one note that matches', 'unexpected']],
    );
    assert.match(failed[0].errors.join('\n'), /search should answer with results/);
  });

  it('reports the search test flaky when only the first search fails and CI allows a retry', { timeout: RUN_LIMIT_MS + 10_000 }, async () => {
    const run = await runSuite({ flakySearch: true }, { ci: true, args: ['--grep', 'search'] });
    assert.equal(run.code, 0, `a flaky test does not fail the run: ${JSON.stringify(run.tests)} ${run.stderr}`);
    assert.deepEqual(statuses(run), {
      'signs in as the tenant owner': 'expected',
      'search › finds the one note that matches': 'flaky',
    });
  });
});
