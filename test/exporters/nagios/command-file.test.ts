import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCommandFileTransport } from '../../../src/exporters/nagios/command-file.ts';
import { buildCheckResult } from '../../../src/exporters/nagios/check-result.ts';
import { ExportError } from '../../../src/shared/errors.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../../helpers/nagios-server.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { failedRun, runResult } from './run-results.ts';

const HOST = 'production';
const SERVICE = 'synthetic-checkout';

describe('command file transport → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 60_000 }, () => {
  let nagios: NagiosServer;
  before(async () => {
    nagios = await startNagios({ services: [{ host: HOST, service: SERVICE }] });
  });
  after(async () => {
    await nagios?.stop();
  });

  it('a failed run shows in status.dat as CRITICAL with long output and perfdata', async () => {
    const transport = createCommandFileTransport({ path: nagios.commandFile });
    const check = buildCheckResult(failedRun({ finishedAt: new Date().toISOString() }));
    await transport.send(check);
    const s = await nagios.waitForService(HOST, SERVICE, (b) => b.last_check !== '0');
    assert.equal(s.current_state, '2');
    assert.equal(s.check_type, '1', 'passive');
    // Nagios Core turns `;` in the first line into `:` (its log format uses `;`); see docs/nagios.md.
    assert.equal(s.plugin_output, 'CRITICAL - checkout: 2 of 14 tests failed: cart › pays by card: search › finds a note');
    assert.equal(s.performance_data, 'passed=12;;;0 failed=2;;;0 flaky=0;;;0 skipped=0;;;0 duration=31.2s;;;0');
    // status.dat escapes newlines as the two characters \n.
    const long = s.long_plugin_output.split('\\n');
    assert.equal(long[0], '✗ cart › pays by card (tests/cart.spec.ts:42)');
    assert.ok(long.includes('    Expected: "paid"'));
    assert.equal(s.last_check, String(check.timestamp));
  });

  it('a later passed run moves the service back to OK and advances last_check', async () => {
    const before = await nagios.serviceStatus(HOST, SERVICE);
    const transport = createCommandFileTransport({ path: nagios.commandFile });
    const check = buildCheckResult(runResult({ finishedAt: new Date(Date.now() + 2000).toISOString() }));
    await transport.send(check);
    const s = await nagios.waitForService(HOST, SERVICE, (b) => Number(b.last_check) > Number(before?.last_check));
    assert.equal(s.current_state, '0');
    assert.equal(s.plugin_output, 'OK - checkout: 14 tests passed in 31.2s');
  });
});

describe('command file transport errors', { timeout: 20_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cmdfile-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a FIFO nobody reads (Nagios down) fails at once with ExportError', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const transport = createCommandFileTransport({ path: fifo });
    const started = Date.now();
    await assert.rejects(transport.send(buildCheckResult(runResult())), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /Nagios is not reading .*nagios\.cmd \(is it running\?\)/);
      return true;
    });
    // Generous bound: a blocking open would hang forever, not take 5 s.
    assert.ok(Date.now() - started < 5000);
  });

  it('a regular file where the FIFO should be is refused, and nothing is written to it', async () => {
    // What a stopped Nagios and a careless `touch` (or a volume mounted as a file) leave behind.
    const file = join(dir, 'plain.cmd');
    await writeFile(file, '');
    const transport = createCommandFileTransport({ path: file });
    await assert.rejects(transport.send(buildCheckResult(runResult())), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.equal(
        err.message,
        `nagios.commandFile ${file}: ${file} is a regular file, not the named pipe Nagios reads: nothing written there would reach Nagios. ` +
          'Check command_file in nagios.cfg; if Nagios is stopped, remove the file and start Nagios, which creates the pipe',
      );
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), '', 'no line was appended');
  });

  it('a missing path says which settings to check', async () => {
    const transport = createCommandFileTransport({ path: join(dir, 'missing', 'nagios.cmd') });
    await assert.rejects(
      transport.send(buildCheckResult(runResult())),
      /does not exist: is command_check_interval\/check_external_commands enabled and the path right\?/,
    );
  });
});
