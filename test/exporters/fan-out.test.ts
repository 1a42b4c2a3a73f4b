// The fan-out against real servers: a Nagios core fed by the command file, another fed by a real nsca
// daemon, and a real Icinga 2. One transport down or hanging never holds up the others; what it missed
// is spooled in the store and delivered by retryDue() once it is back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createExportFanOut } from '../../src/exporters/fan-out.ts';
import { createCommandFileTransport, createIcinga2Transport, createNscaTransport } from '../../src/exporters/nagios/index.ts';
import { createPrometheusExporter } from '../../src/exporters/prometheus/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { icinga2Available, startIcinga2, type Icinga2Server } from '../helpers/nagios-icinga2.ts';
import { freePort, nscaAvailable, startNsca, type NscaServer } from '../helpers/nagios-nsca.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { failedRun, runResult } from './nagios/run-results.ts';
import { parseExposition, quietLog } from './prometheus/helpers.ts';

const HOST = 'shop-prod';
const config = { environments: { production: { nagiosHost: HOST } }, exporters: { nagios: { timeout: 30_000 } } };

/** A clock the test moves forward, so "due in 5 s" needs no waiting. */
function testClock() {
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  return Object.assign(clock, { advance: (ms: number) => void (offsetMs += ms) });
}

/** Accepts connections and never says a word: an NSCA that hangs. */
async function startSilentServer(port: number) {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    connections: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const skipAll = requireBinary('nagios4', nagiosAvailable()) || requireBinary('nsca', nscaAvailable()) || requireBinary('icinga2', icinga2Available());

describe('fan-out: command file + NSCA + Icinga 2 at once', { skip: skipAll, timeout: 120_000 }, () => {
  let viaCommandFile: NagiosServer;
  let viaNsca: NagiosServer;
  let icinga: Icinga2Server;
  let nsca: NscaServer | undefined;
  let dir: string;
  let store: Store;
  const services = [{ host: HOST, service: 'synthetic-checkout' }];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-fanout-'));
    store = await openStore(join(dir, 'vigil.db'));
    [viaCommandFile, viaNsca, icinga] = await Promise.all([
      startNagios({ services }),
      startNagios({ services }),
      startIcinga2({ services, allowCreate: true }),
    ]);
  });
  after(async () => {
    store?.close();
    await Promise.all([viaCommandFile?.stop(), viaNsca?.stop(), icinga?.stop(), nsca?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  const icingaTransport = () =>
    createIcinga2Transport({ url: icinga.url, user: icinga.user, password: icinga.password, ca: icinga.caFile, tlsServerName: icinga.tlsServerName });

  it('a hanging NSCA delays neither the command file nor Icinga; it is spooled, and delivered once NSCA is back', async () => {
    const nscaPort = await freePort();
    const silent = await startSilentServer(nscaPort);
    const clock = testClock();
    const log = quietLog();
    const prometheus = createPrometheusExporter({ version: 'test', log, processMetrics: false, exporters: ['command-file', 'nsca', 'icinga2'] });
    const fanOut = createExportFanOut({
      store,
      prometheus,
      transports: [
        createCommandFileTransport({ path: viaCommandFile.commandFile }),
        createNscaTransport({ host: '127.0.0.1', port: nscaPort, connectTimeoutMs: 60_000, handshakeTimeoutMs: 60_000 }),
        icingaTransport(),
      ],
      config,
      log,
      clock,
    });
    const result = failedRun({ runId: 'run-fanout-1', finishedAt: new Date().toISOString() });

    let settled = false;
    const publishing = fanOut.publish(result).finally(() => (settled = true));
    const status = await viaCommandFile.waitForService(HOST, 'synthetic-checkout', (s) => s.last_check !== '0' && s.current_state === '2');
    assert.match(status.plugin_output, /^CRITICAL - checkout: 2 of 14 tests failed/);
    const attrs = await until('Icinga to take the result', async () => {
      const a = await icinga.serviceAttrs(HOST, 'synthetic-checkout');
      return a.last_check > 0 ? a : undefined;
    });
    assert.equal(attrs.state, 2);
    assert.equal(silent.connections(), 1, 'NSCA was tried at the same time');
    assert.equal(settled, false, 'the NSCA attempt is still hanging while the other two are delivered');

    await silent.close(); // the daemon goes away mid-handshake
    await publishing;
    assert.deepEqual(await fanOut.pending(), { nsca: 1 });
    const [entry] = await store.spool.list();
    assert.equal(entry.runId, 'run-fanout-1');
    assert.equal(entry.attempts, 1);
    assert.match(entry.lastError ?? '', /closed the connection/);

    nsca = await startNsca({ commandFile: viaNsca.commandFile, method: 0, port: nscaPort });
    assert.deepEqual(await fanOut.retryDue(), { delivered: 0, failed: 0, dropped: 0, superseded: 0 }, 'not due before its backoff');
    clock.advance(5_000);
    assert.deepEqual(await fanOut.retryDue(), { delivered: 1, failed: 0, dropped: 0, superseded: 0 });
    const viaDaemon = await viaNsca.waitForService(HOST, 'synthetic-checkout', (s) => s.last_check !== '0');
    assert.equal(viaDaemon.current_state, '2');
    assert.match(viaDaemon.long_plugin_output, /run-fanout-1/);
    assert.deepEqual(await fanOut.pending(), {});

    const samples = parseExposition(await prometheus.metrics());
    const value = (name: string, exporter: string) => samples.find((s) => s.name === name && s.labels.exporter === exporter)?.value;
    assert.equal(value('vigil_export_failures_total', 'nsca'), 1);
    assert.equal(value('vigil_export_failures_total', 'command-file'), 0);
    assert.equal(value('vigil_export_spooled', 'nsca'), 0);
    await fanOut.close();
  });

  it('Icinga answering 500 for a service it does not know yet: spooled, then delivered once the service exists', async () => {
    const clock = testClock();
    const fanOut = createExportFanOut({ store, transports: [icingaTransport()], config, log: quietLog(), clock });
    const result = runResult({ runId: 'run-late-1', suite: 'late', finishedAt: new Date().toISOString() });

    await fanOut.publish(result);
    assert.deepEqual(await fanOut.pending(), { icinga2: 1 });
    assert.match((await store.spool.list())[0].lastError ?? '', /answered 500: no such service/);

    await icinga.createService(HOST, 'synthetic-late');
    clock.advance(5_000);
    assert.equal((await fanOut.retryDue()).delivered, 1);
    const attrs = await icinga.serviceAttrs(HOST, 'synthetic-late');
    assert.equal(attrs.state, 0);
    assert.match(attrs.last_check_result.output, /^OK - late: 14 tests passed/);
    assert.deepEqual(await fanOut.pending(), {});
    await fanOut.close();
  });
});

describe('fan-out spool across a restart, and ordering', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 60_000 }, () => {
  let nagios: NagiosServer | undefined;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-spool-'));
  });
  after(async () => {
    await nagios?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const nagiosLines = async (runId: string) =>
    (await nagios!.readLog()).split('\n').filter((l) => l.includes('EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT') && l.includes(runId));

  it('a result spooled while Nagios is down is delivered after a restart of Vigil, exactly once', async () => {
    const file = join(dir, 'restart.db');
    const log = quietLog();
    // Nagios is not running: its command file does not exist.
    let store = await openStore(file);
    const down = createExportFanOut({ store, transports: [createCommandFileTransport({ path: join(dir, 'no-nagios', 'nagios.cmd') })], config, log });
    await down.publish(failedRun({ runId: 'run-restart-1', finishedAt: new Date().toISOString() }));
    assert.deepEqual(await down.pending(), { 'command-file': 1 });
    await down.close();
    await store.close();

    nagios = await startNagios({ services: [{ host: HOST, service: 'synthetic-checkout' }] });
    store = await openStore(file);
    try {
      const clock = testClock();
      const up = createExportFanOut({ store, transports: [createCommandFileTransport({ path: nagios.commandFile })], config, log, clock });
      assert.deepEqual(await up.pending(), { 'command-file': 1 }, 'the spool survived the restart');
      clock.advance(5_000);
      assert.equal((await up.retryDue()).delivered, 1);
      assert.equal((await up.retryDue()).delivered, 0);
      const status = await nagios.waitForService(HOST, 'synthetic-checkout', (s) => s.last_check !== '0');
      assert.equal(status.current_state, '2');
      await sleep(1_200); // one status_update_interval: a second delivery would be in the log by now
      assert.equal((await nagiosLines('run-restart-1')).length, 1);
      assert.deepEqual(await up.pending(), {});
      await up.close();
    } finally {
      await store.close();
    }
  });

  it('an older spooled result is not delivered after a newer one', async () => {
    assert.ok(nagios, 'needs the Nagios of the previous test');
    const store = await openStore(join(dir, 'order.db'));
    try {
      const log = quietLog();
      const clock = testClock();
      const now = Date.now();
      const older = failedRun({ runId: 'run-older', finishedAt: new Date(now - 120_000).toISOString() });
      const newer = runResult({ runId: 'run-newer', finishedAt: new Date(now - 60_000).toISOString() });
      const down = createExportFanOut({ store, transports: [createCommandFileTransport({ path: join(dir, 'gone.cmd') })], config, log, clock });
      await down.publish(older);
      assert.deepEqual(await down.pending(), { 'command-file': 1 });

      const up = createExportFanOut({ store, transports: [createCommandFileTransport({ path: nagios.commandFile })], config, log, clock });
      await up.publish(newer);
      await nagios.waitForService(HOST, 'synthetic-checkout', (s) => s.last_check === String(Math.floor((now - 60_000) / 1000)));
      clock.advance(5_000);
      assert.deepEqual(await up.retryDue(), { delivered: 0, failed: 0, dropped: 0, superseded: 1 });
      assert.deepEqual(await up.pending(), {});
      await sleep(1_200);
      const status = await nagios.serviceStatus(HOST, 'synthetic-checkout');
      assert.equal(status?.current_state, '0', 'the newer (passed) result stays');
      assert.equal((await nagiosLines('run-older')).length, 0);
      await Promise.all([down.close(), up.close()]);
    } finally {
      await store.close();
    }
  });
});

describe('fan-out spool bounds and sharing', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-spool-bounds-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives up after maxAttempts or maxAge, and counts what it dropped', async () => {
    const store = await openStore(join(dir, 'bounds.db'));
    try {
      const log = quietLog();
      const clock = testClock();
      const prometheus = createPrometheusExporter({ version: 'test', log, processMetrics: false, exporters: ['command-file'] });
      const limited = { ...config, exporters: { ...config.exporters, spool: { maxAttempts: 2, maxAge: 3_600_000 } } };
      const transports = [createCommandFileTransport({ path: join(dir, 'missing', 'nagios.cmd') })];
      const fanOut = createExportFanOut({ store, prometheus, transports, config: limited, log, clock });
      await fanOut.publish(failedRun({ runId: 'run-bounded-1', finishedAt: new Date().toISOString() }));
      clock.advance(5_000);
      assert.deepEqual(await fanOut.retryDue(), { delivered: 0, failed: 1, dropped: 0, superseded: 0 });
      assert.equal((await store.spool.list())[0].attempts, 2);
      clock.advance(10_000);
      assert.deepEqual(await fanOut.retryDue(), { delivered: 0, failed: 0, dropped: 1, superseded: 0 });

      await fanOut.publish(failedRun({ runId: 'run-bounded-2', finishedAt: new Date().toISOString() }));
      clock.advance(3_600_000 + 1);
      assert.deepEqual(await fanOut.retryDue(), { delivered: 0, failed: 0, dropped: 1, superseded: 0 });
      assert.deepEqual(await fanOut.pending(), {});
      const samples = parseExposition(await prometheus.metrics());
      const value = (name: string) => samples.find((s) => s.name === name && s.labels.exporter === 'command-file')?.value;
      assert.equal(value('vigil_export_dropped_total'), 2);
      assert.equal(value('vigil_export_failures_total'), 3);
      assert.equal(value('vigil_export_spooled'), 0);
      await fanOut.close();
    } finally {
      await store.close();
    }
  });

  it('two processes sharing the store send a spooled result once', async () => {
    const file = join(dir, 'shared.db');
    // A FIFO this test reads itself (non-blocking, so the writers' O_NONBLOCK open finds a reader).
    const forwarded = join(dir, 'forwarded.cmd');
    const { execFileSync } = await import('node:child_process');
    const { openSync, readSync, closeSync, constants } = await import('node:fs');
    execFileSync('mkfifo', [forwarded]);
    const reader = openSync(forwarded, constants.O_RDONLY | constants.O_NONBLOCK);
    const [first, second, third] = [await openStore(file), await openStore(file), await openStore(file)];
    try {
      const log = quietLog();
      const down = createExportFanOut({ store: first, transports: [createCommandFileTransport({ path: join(dir, 'gone', 'x.cmd') })], config, log });
      await down.publish(failedRun({ runId: 'run-shared-1', finishedAt: new Date().toISOString() }));
      const clock = testClock();
      clock.advance(5_000);
      const make = (store: Store) => createExportFanOut({ store, transports: [createCommandFileTransport({ path: forwarded })], config, log, clock });
      const [a, b] = await Promise.all([make(second).retryDue(), make(third).retryDue()]);
      assert.equal(a.delivered + b.delivered, 1);
      const buffer = Buffer.alloc(65_536);
      const lines = buffer.toString('utf8', 0, readSync(reader, buffer)).split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;shop-prod;synthetic-checkout;2;CRITICAL - checkout/);
      assert.deepEqual(await first.spool.counts(), {});
    } finally {
      for (const s of [first, second, third]) await s.close();
      closeSync(reader);
    }
  });
});
