// `vigil gate` as a deploy pipeline runs it: locally and against a running `vigil serve`, its exit code
// is the worst state of the suites it ran (passed 0, flaky 1, failed 2, error 3; failed outranks error).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RunResult } from '../../src/core/index.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { newToken, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

const interval = (r: RunResult) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt) });
const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
const show = (x: { start: number; end: number }) => `${new Date(x.start).toISOString().slice(11)}–${new Date(x.end).toISOString().slice(11)}`;

// A grep that matches nothing: no test runs, which is an error, never a pass.
const untestable = (name: string) => `${quickSuite(name)}\n    grep: "@matches-nothing"`;

describe('vigil gate', { timeout: 300_000 }, () => {
  let e: E2E;
  let s: Served;
  const token = newToken();
  before(async () => {
    e = await setupE2E();
    await writeServeConfig(
      e,
      quickSuite('good') +
        quickSuite('bad', { fail: true }) +
        untestable('blind') +
        quickSuite('slow', { sleepMs: 30_000 }) +
        quickSuite('slow2', { sleepMs: 30_000 }),
      {
        token: '${VIGIL_API_TOKEN:-}',
        concurrency: 2,
      },
    );
    // A short grace: the slow run the timeout spec leaves behind is interrupted at the end, not waited for.
    s = await startServe(e, { token, args: ['--grace', '1s'] });
  });
  after(async () => {
    await s?.stop();
    await e?.close();
  });

  const gate = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runVigil(['gate', '--config', e.configFile, '--environment', 'local', ...args], { env: { ...e.env, ...env }, timeoutMs: 120_000 });

  for (const [where, extra] of [
    ['locally', [] as string[]],
    ['on a running server', ['--server', 'SERVER']],
  ] as const) {
    const args = (a: string[]) => [...a, ...extra.map((x) => (x === 'SERVER' ? s.url : x))];
    const env = where === 'locally' ? {} : { VIGIL_API_TOKEN: token };

    test(`${where}: passed → 0, failed → 2 with the failing test, error → 3`, async () => {
      // A suite named twice runs once (on a server the second trigger would otherwise be a 409).
      const passed = await gate(args(['--suite', 'good', '--suite', 'good']), env);
      assert.equal(passed.code, 0, passed.stderr + passed.stdout);
      assert.match(passed.stdout, /^PASSED good@local: 1 passed/m);
      assert.match(passed.stdout, /gate local: PASSED \(1 suite, exit 0\)/);

      const failed = await gate(args(['--suite', 'bad']), env);
      assert.equal(failed.code, 2, failed.stderr + failed.stdout);
      assert.match(failed.stdout, /^FAILED bad@local/m);
      assert.match(failed.stdout, /✘ answers quickly \(tests\/quick\.spec\.ts:3\)/);

      const error = await gate(args(['--suite', 'blind']), env);
      assert.equal(error.code, 3, error.stderr + error.stdout);
      assert.match(error.stdout, /^ERROR blind@local: the suite could not run: no test/m);
    });

    test(`${where}: --junit writes one testcase per suite: passed, a failure listing the failing test and its error, an error saying why${where === 'locally' ? '' : ', each with its run link'}`, async () => {
      const file = path.join(path.dirname(e.configFile), `gate-${where === 'locally' ? 'local' : 'remote'}.xml`);
      const r = await gate(args(['--suite', 'good', '--suite', 'bad', '--suite', 'blind', '--junit', file]), env);
      assert.equal(r.code, 2, r.stderr);
      const xml = await readFile(file, 'utf8');
      assert.equal(XMLValidator.validate(xml), true);
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml);
      assert.deepEqual([doc.testsuites.tests, doc.testsuites.failures, doc.testsuites.errors], ['3', '1', '1']);
      // biome-ignore lint/suspicious/noExplicitAny: parsed XML, as untyped as the file
      const cases = doc.testsuites.testsuite.testcase as Array<Record<string, any>>;
      assert.deepEqual(
        cases.map((c) => [c.classname, c.name, 'failure' in c, 'error' in c]),
        [
          ['vigil.local', 'good@local', false, false],
          ['vigil.local', 'bad@local', true, false],
          ['vigil.local', 'blind@local', false, true],
        ],
      );
      assert.equal(cases[1].failure.message, '1 of 1 tests failed: answers quickly');
      assert.match(cases[1].failure['#text'], /^answers quickly \(tests\/quick\.spec\.ts:3\)\n/);
      assert.match(cases[2].error.message, /^the suite could not run: no test/);
      const links = cases.map((c) => /run: (\S+)/.exec(c['system-out'])?.[1]);
      if (where === 'locally') assert.deepEqual(links, [undefined, undefined, undefined], 'no api.publicURL: no link to make up');
      else for (const link of links) assert.match(link ?? '', new RegExp(`^${s.url}/runs/[\\w-]+$`));
    });

    test(`${where}: a failed app outranks a suite that could not test it (2, not 3); --json lists both`, async () => {
      const r = await gate(args(['--suite', 'good', '--suite', 'bad', '--suite', 'blind', '--json']), env);
      assert.equal(r.code, 2, r.stderr);
      const out = JSON.parse(r.stdout) as { exitCode: number; results: RunResult[] };
      assert.equal(out.exitCode, 2);
      assert.deepEqual(
        out.results.map((x) => [x.suite, x.status]),
        [
          ['good', 'passed'],
          ['bad', 'failed'],
          ['blind', 'error'],
        ],
      );
      // api.concurrency is 2: the first two ran side by side, the third waited for a free slot.
      const [good, bad, blind] = out.results.map(interval);
      assert.ok(overlap(good, bad), `good ${show(good)} and bad ${show(bad)} ran one after the other`);
      assert.ok(blind.start >= Math.min(good.end, bad.end), `blind ${show(blind)} started before a slot was free (good ${show(good)}, bad ${show(bad)})`);
    });
  }

  test('locally with api.concurrency 1 (the default): one suite after another', async () => {
    const serial = path.join(path.dirname(e.configFile), 'vigil-serial.yaml');
    const yaml = await readFile(e.configFile, 'utf8');
    assert.match(yaml, /^ {2}concurrency: 2$/m);
    await writeFile(serial, yaml.replace(/^ {2}concurrency: 2$/m, '  concurrency: 1'));
    const r = await runVigil(['gate', '--config', serial, '--environment', 'local', '--suite', 'good', '--suite', 'bad', '--json'], {
      env: e.env,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 2, r.stderr);
    const [good, bad] = (JSON.parse(r.stdout) as { results: RunResult[] }).results.map(interval);
    assert.ok(good.end <= bad.start, `bad ${show(bad)} started before good ${show(good)} had finished`);
  });

  test('locally: --timeout interrupts every running suite (their tenants are still deleted) and marks the rest not run', async () => {
    const r = await gate(['--suite', 'slow', '--suite', 'slow2', '--suite', 'good', '--timeout', '3s', '--json']);
    assert.equal(r.code, 3, r.stderr);
    const results = (JSON.parse(r.stdout) as { results: Array<RunResult & { message?: string }> }).results;
    for (const run of results.slice(0, 2)) {
      assert.deepEqual([run.status, run.errorPhase, run.tenant?.state], ['error', 'interrupted', 'destroyed'], JSON.stringify(run));
      assert.match(run.errorMessage ?? '', /^gate timed out after 3s/);
    }
    assert.deepEqual([results[2].suite, results[2].status, results[2].message], ['good', 'error', 'not run: gate timed out after 3s']);
  });

  test('remote: --timeout bounds the wait and exits 3 saying the run goes on', async () => {
    const r = await gate(['--suite', 'slow', '--server', s.url, '--timeout', '3s'], { VIGIL_API_TOKEN: token });
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /ERROR slow@local: timed out after 3s waiting for the run to finish \(it goes on on the server\)/);
  });

  test('remote: a wrong token is an error naming the answer, and the token is never printed', async () => {
    const r = await gate(['--suite', 'good', '--server', s.url], { VIGIL_API_TOKEN: `${token}-wrong` });
    assert.equal(r.code, 3);
    assert.match(r.stdout, /answered 401: the API token is wrong/);
    assert.ok(!(r.stdout + r.stderr).includes(token));
  });

  test('an unknown suite is refused before anything runs', async () => {
    const r = await gate(['--suite', 'nope']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /--suite nope: no suite of that name runs on local \(these do: good, bad, blind, slow, slow2\)/);
  });
});
