import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheckResult, renderFor, renderPluginOutput, type FormattedCheck } from '../../../src/exporters/nagios/plugin-output.ts';
import { buildCheckResult } from '../../../src/exporters/nagios/check-result.ts';
import { commandLine } from '../../../src/exporters/nagios/command-file.ts';
import { ExportError } from '../../../src/shared/errors.ts';
import { errorRun, failedRun, flakyRun, runResult } from './run-results.ts';

describe('formatCheckResult', () => {
  it('reports a passed run as OK with counts and duration', () => {
    const c = formatCheckResult(runResult());
    assert.equal(c.state, 0);
    assert.equal(c.output, 'OK - checkout: 14 tests passed in 31.2s');
    assert.equal(c.perfdata, 'passed=14;;;0 failed=0;;;0 flaky=0;;;0 skipped=0;;;0 duration=31.2s;;;0');
  });

  it('reports a failed run as CRITICAL naming the failing tests, details in the long output', () => {
    const c = formatCheckResult(failedRun());
    assert.equal(c.state, 2);
    assert.equal(c.output, 'CRITICAL - checkout: 2 of 14 tests failed: cart › pays by card; search › finds a note');
    assert.equal(c.perfdata, 'passed=12;;;0 failed=2;;;0 flaky=0;;;0 skipped=0;;;0 duration=31.2s;;;0');
    assert.equal(c.longOutput[0], '✗ cart › pays by card (tests/cart.spec.ts:42)');
    assert.equal(c.longOutput[1], '    Error: expect(received).toBe(expected)');
    assert.ok(c.longOutput.includes('✗ search › finds a note (tests/search.spec.ts:7)'));
    assert.ok(c.longOutput.includes('    TimeoutError: locator.click: Timeout 5000ms exceeded.'));
  });

  it('reports a flaky run as WARNING and an error as UNKNOWN with the phase in words', () => {
    const flaky = formatCheckResult(flakyRun());
    assert.equal(flaky.state, 1);
    assert.equal(flaky.output, 'WARNING - checkout: 1 flaky test passed on retry: login › remembers me');
    const error = formatCheckResult(errorRun());
    assert.equal(error.state, 3);
    assert.equal(error.output, 'UNKNOWN - checkout: tenant setup failed: tenants.demo.create: POST http://127.0.0.1:9/admin/tenants answered 500: boom');
    assert.equal(error.longOutput[0], 'second line of detail');
    const timeout = formatCheckResult(runResult({ status: 'error', errorPhase: 'timeout', errorMessage: 'suite exceeded 10m' }));
    assert.equal(timeout.output, 'UNKNOWN - checkout: the run timed out: suite exceeded 10m');
  });

  it('lets a suite override the state per status, and the label follows the state', () => {
    const c = formatCheckResult(flakyRun(), { stateMap: { flaky: 0 } });
    assert.equal(c.state, 0);
    assert.match(c.output, /^OK - checkout: 1 flaky test/);
    assert.equal(formatCheckResult(errorRun(), { stateMap: { error: 2 } }).state, 2);
  });

  it('lists at most a few titles in the first line', () => {
    const failures = Array.from({ length: 6 }, (_, i) => ({ title: `t${i}`, file: 'a.spec.ts', line: i, error: 'e' }));
    const c = formatCheckResult(failedRun({ failures, tests: { total: 6, passed: 0, failed: 6, flaky: 0, skipped: 0 } }));
    assert.equal(c.output, 'CRITICAL - checkout: 6 of 6 tests failed: t0; t1; t2; and 3 more');
  });

  it('replaces | in titles and errors since | starts perfdata', () => {
    const c = formatCheckResult(
      failedRun({
        failures: [{ title: 'a | b', file: 'x.spec.ts', line: 1, error: 'got a|b\nline two' }],
        tests: { total: 1, passed: 0, failed: 1, flaky: 0, skipped: 0 },
      }),
    );
    assert.ok(!c.output.includes('|'));
    assert.ok(c.longOutput.every((l) => !l.includes('|')));
    assert.match(c.output, /a ¦ b/);
  });
});

describe('host and service naming', () => {
  it('names the service after the suite on a host per environment, overridable', () => {
    const c = buildCheckResult(runResult());
    assert.equal(c.host, 'production');
    assert.equal(c.service, 'synthetic-checkout');
    assert.equal(c.timestamp, Date.parse('2025-01-01T10:00:40.000Z') / 1000);
    const named = buildCheckResult(runResult(), { host: 'shop-prod', service: 'Checkout journey' });
    assert.equal(named.host, 'shop-prod');
    assert.equal(named.service, 'Checkout journey');
  });

  it('refuses names that would break the command syntax', () => {
    assert.throws(() => buildCheckResult(runResult(), { host: 'a;b' }), ExportError);
    assert.throws(() => buildCheckResult(runResult(), { service: 'x\n[1] SHUTDOWN_PROGRAM' }), ExportError);
  });
});

describe('renderPluginOutput', () => {
  const check = formatCheckResult(failedRun());

  it('puts perfdata after the first line and escapes newlines for the command file', () => {
    const text = renderFor(check, 'command-file');
    assert.ok(!text.includes('\n'));
    assert.ok(text.startsWith(`${check.output}|${check.perfdata}\\n✗ cart › pays by card`));
  });

  it('keeps real newlines for NSCA and leaves perfdata out of the text for Icinga 2', () => {
    assert.ok(renderFor(check, 'nsca').startsWith(`${check.output}|${check.perfdata}\n✗ cart`));
    const icinga = renderFor(check, 'icinga2');
    assert.ok(!icinga.includes('|'));
    assert.ok(icinga.startsWith(`${check.output}\n✗ cart`));
  });

  it('doubles backslashes in escaped mode so Nagios does not read \\n inside an error as a newline', () => {
    const c: FormattedCheck = { state: 2, output: 'CRITICAL - x', longOutput: ['path C:\\new'], perfdata: 'a=1' };
    assert.equal(renderPluginOutput(c, { maxBytes: 100, newlines: 'escaped', perfdataInline: true }), 'CRITICAL - x|a=1\\npath C:\\\\new');
  });

  it('truncates multibyte text within the limit without splitting a character and keeps perfdata whole', () => {
    const long: FormattedCheck = {
      state: 2,
      output: `CRITICAL - ${'é€😀'.repeat(500)}`,
      longOutput: Array.from({ length: 50 }, (_, i) => `${i} ${'ü😀'.repeat(100)}`),
      perfdata: 'passed=1;;;0 failed=2;;;0 duration=3.0s;;;0',
    };
    for (const [maxBytes, newlines] of [
      [4095, 'real'],
      [1000, 'escaped'],
      [333, 'real'],
      [101, 'escaped'],
    ] as const) {
      const text = renderPluginOutput(long, { maxBytes, newlines, perfdataInline: true });
      const bytes = Buffer.from(text);
      assert.ok(bytes.length <= maxBytes, `${bytes.length} > ${maxBytes}`);
      assert.equal(bytes.toString('utf8'), text, 'no replacement characters: no character was cut');
      assert.ok(!text.includes('\uFFFD'));
      assert.ok(text.includes('|passed=1;;;0 failed=2;;;0 duration=3.0s;;;0'), 'perfdata intact');
      assert.ok(text.includes('…'), 'truncation is visible');
    }
    // With room, the long output is cut, not the first line.
    const shortFirst = { ...long, output: `CRITICAL - ${'é€😀'.repeat(200)}` };
    const roomy = renderPluginOutput(shortFirst, { maxBytes: 4095, newlines: 'real', perfdataInline: true });
    assert.ok(roomy.startsWith(`${shortFirst.output}|`));
    assert.ok(roomy.split('\n').length > 2);
  });

  it('keeps a command-file line within one PIPE_BUF write', () => {
    const huge = buildCheckResult(
      failedRun({ failures: Array.from({ length: 40 }, (_, i) => ({ title: `test ${i} ✓`, file: 'f.spec.ts', line: i, error: 'ä\\'.repeat(300) })) }),
    );
    const line = commandLine(huge);
    assert.ok(Buffer.byteLength(line) <= 4096, `${Buffer.byteLength(line)} bytes`);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.match(line, /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;production;synthetic-checkout;2;CRITICAL - checkout: /);
    assert.ok(!/(^|[^\\])(\\\\)*\\$/.test(line.slice(0, -1)), 'does not end in a lone escape backslash');
  });
});
