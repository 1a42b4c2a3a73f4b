import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildNscaPacket, createNscaTransport, NSCA_PACKET_BYTES } from '../../../src/exporters/nagios/nsca.ts';
import { buildCheckResult } from '../../../src/exporters/nagios/check-result.ts';
import { ConfigError, ExportError } from '../../../src/shared/errors.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../../helpers/nagios-server.ts';
import { freePort, nscaAvailable, startNsca } from '../../helpers/nagios-nsca.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { failedRun, flakyRun, errorRun, runResult } from './run-results.ts';
import type { RunResult } from '../../../src/core/index.ts';

const HOST = 'shop-prod';
const PASSWORD = 'nsca-secret-8d2f';
const METHODS = [
  { method: 0, name: 'none', run: failedRun, state: '2' },
  { method: 1, name: 'XOR', run: flakyRun, state: '1' },
  { method: 2, name: 'DES', run: errorRun, state: '3' },
  { method: 3, name: '3DES', run: failedRun, state: '2' },
  { method: 14, name: 'RIJNDAEL-128', run: failedRun, state: '2' },
] as const;

describe('NSCA packet', () => {
  it('is 4304 bytes, version 3, with a CRC32 over the packet and NUL-terminated fields', async () => {
    const { crc32 } = await import('node:zlib');
    const p = buildNscaPacket({ host: 'h', service: 's', state: 2, output: 'CRITICAL - x', timestamp: 1234 }, (b) => b.fill(0xaa));
    assert.equal(p.length, NSCA_PACKET_BYTES);
    assert.equal(p.readInt16BE(0), 3);
    assert.equal(p.readUInt32BE(8), 1234);
    assert.equal(p.readInt16BE(12), 2);
    assert.equal(p.subarray(14, 16).toString(), 'h\0');
    assert.equal(p.subarray(206, 219).toString(), 'CRITICAL - x\0');
    const crc = p.readUInt32BE(4);
    const zeroed = Buffer.from(p);
    zeroed.writeUInt32BE(0, 4);
    assert.equal(crc32(zeroed), crc);
  });

  it('rejects unsupported methods when the transport is configured', () => {
    assert.throws(
      () => createNscaTransport({ host: '127.0.0.1', encryption: 8, password: 'x' }),
      (e: unknown) => e instanceof ConfigError && /not supported/.test(e.message),
    );
    assert.throws(() => createNscaTransport({ host: '127.0.0.1', encryption: 'blowfish', password: 'x' }), ConfigError);
    assert.throws(() => createNscaTransport({ host: '127.0.0.1', encryption: '3des' }), /needs a password/);
  });
});

describe('NSCA transport → real nsca → real Nagios', {
  skip: requireBinary('nagios4 and nsca', nagiosAvailable() && nscaAvailable()),
  timeout: 120_000,
}, () => {
  let nagios: NagiosServer;
  before(async () => {
    nagios = await startNagios({
      services: [...METHODS.map((m) => ({ host: HOST, service: `synthetic-${m.name}` })), { host: HOST, service: 'synthetic-wrongpw' }],
    });
  });
  after(async () => {
    await nagios?.stop();
  });

  for (const m of METHODS) {
    it(`delivers with encryption ${m.method} (${m.name})`, async () => {
      const nsca = await startNsca({ commandFile: nagios.commandFile, method: m.method, password: PASSWORD });
      try {
        const transport = createNscaTransport({ host: '127.0.0.1', port: nsca.port, encryption: m.method, password: PASSWORD });
        const result: RunResult = { ...m.run(), suite: m.name };
        const check = buildCheckResult(result, { host: HOST });
        await transport.send(check);
        const s = await nagios.waitForService(HOST, `synthetic-${m.name}`, (b) => b.last_check !== '0');
        assert.equal(s.current_state, m.state);
        assert.equal(s.plugin_output, check.output.replaceAll(';', ':'));
        assert.equal(s.performance_data, check.perfdata);
        // nsca escaped our real newlines into Nagios' \n, so the long output arrives line by line.
        assert.equal(s.long_plugin_output.split('\\n')[0], check.longOutput[0].replaceAll('\\', '\\\\'));
      } finally {
        await nsca.stop();
      }
    });
  }

  it('a second send opens a new connection with a fresh cipher stream and arrives too', async () => {
    const nsca = await startNsca({ commandFile: nagios.commandFile, method: 3, password: PASSWORD });
    try {
      const transport = createNscaTransport({ host: '127.0.0.1', port: nsca.port, encryption: 3, password: PASSWORD });
      const before = await nagios.serviceStatus(HOST, 'synthetic-3DES');
      await transport.send(buildCheckResult({ ...runResult(), suite: '3DES', finishedAt: new Date().toISOString() }, { host: HOST }));
      const s = await nagios.waitForService(HOST, 'synthetic-3DES', (b) => b.current_state === '0' && Number(b.last_check) >= Number(before?.last_check));
      assert.equal(s.plugin_output, 'OK - 3DES: 14 tests passed in 31.2s');
    } finally {
      await nsca.stop();
    }
  });

  it('with a wrong password the send "succeeds" but nothing reaches Nagios (NSCA has no ack)', async () => {
    const nsca = await startNsca({ commandFile: nagios.commandFile, method: 14, password: PASSWORD });
    try {
      const transport = createNscaTransport({ host: '127.0.0.1', port: nsca.port, encryption: 14, password: 'not-the-password' });
      await transport.send(buildCheckResult({ ...failedRun(), suite: 'wrongpw' }, { host: HOST }));
      await sleep(1000); // a packet the daemon accepted would be in the command file by now
    } finally {
      await nsca.stop();
    }
    // Control, through a fresh daemon: nsca 2.10.2 --single sometimes stops accepting after it rejected
    // a packet (seen here about one run in three), so the control must not depend on the first one.
    // Once the control shows in status.dat, a wrongly accepted packet, written earlier, would show too.
    const control = await startNsca({ commandFile: nagios.commandFile, method: 14, password: PASSWORD });
    try {
      const good = createNscaTransport({ host: '127.0.0.1', port: control.port, encryption: 14, password: PASSWORD });
      await good.send(buildCheckResult({ ...runResult(), suite: 'RIJNDAEL-128' }, { host: HOST }));
      await nagios.waitForService(HOST, 'synthetic-RIJNDAEL-128', (b) => b.current_state === '0');
      await sleep(1200); // one more status.dat write
      const wrong = await nagios.serviceStatus(HOST, 'synthetic-wrongpw');
      assert.equal(wrong?.last_check, '0');
      assert.equal(wrong?.has_been_checked, '0');
      const log = await nagios.readLog();
      assert.ok(!log.includes('synthetic-wrongpw'));
    } finally {
      await control.stop();
    }
  });
});

describe('NSCA transport failures', { timeout: 20_000 }, () => {
  let silent: Server | undefined;
  after(() => new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve())));

  it('a refused connection is an ExportError naming the address, without the password', async () => {
    const port = await freePort();
    const transport = createNscaTransport({ host: '127.0.0.1', port, encryption: 1, password: PASSWORD });
    await assert.rejects(transport.send(buildCheckResult(runResult())), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));
      assert.ok(!err.message.includes(PASSWORD));
      return true;
    });
  });

  it('a server that never sends the init packet times out', async () => {
    const sockets: import('node:net').Socket[] = [];
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const transport = createNscaTransport({ host: '127.0.0.1', port, handshakeTimeoutMs: 300 });
    await assert.rejects(transport.send(buildCheckResult(runResult())), /no NSCA init packet within 300ms/);
    for (const s of sockets) s.destroy();
  });
});
