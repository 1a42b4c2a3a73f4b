// Links in alerts and "paused" instead of paging, through the real fan-out into a real Nagios 4 and a
// real Icinga 2: with api.publicURL the long output's first line is the run page; a paused pair sends
// OK "paused until …" (default) or, with exporters.nagios.paused: downtime, a scheduled downtime that
// an early resume removes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { namingFor } from '../../../src/exporters/check-naming.ts';
import { createExportFanOut } from '../../../src/exporters/fan-out.ts';
import { buildCheckResult, createCommandFileTransport, createIcinga2Transport } from '../../../src/exporters/nagios/index.ts';
import type { PausedPair } from '../../../src/exporters/nagios/paused-check.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type { Store } from '../../../src/store/types.ts';
import { icinga2Available, startIcinga2, type Icinga2Server } from '../../helpers/nagios-icinga2.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../../helpers/nagios-server.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { quietLog } from '../prometheus/helpers.ts';
import { failedRun } from './run-results.ts';

const PUBLIC_URL = 'https://vigil.example.com';
const naming = { environments: { production: { nagiosHost: 'shop-prod' } }, api: { publicURL: PUBLIC_URL } };

describe('alert links and pauses → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 60_000 }, () => {
  let nagios: NagiosServer;
  let dir: string;
  let store: Store;
  before(async () => {
    nagios = await startNagios({ services: [{ host: 'shop-prod', service: 'synthetic-checkout' }] });
    dir = await mkdtemp(join(tmpdir(), 'vigil-links-'));
    store = await openStore(join(dir, 'vigil.db'));
  });
  after(async () => {
    store?.close();
    await nagios?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const fanOut = (paused: 'ok' | 'downtime', clock = () => new Date()) =>
    createExportFanOut({
      store,
      transports: [createCommandFileTransport({ path: nagios.commandFile })],
      config: { ...naming, exporters: { nagios: { paused } } },
      log: quietLog(),
      clock,
    });

  it("puts the run page's URL first in the long output of status.dat", async () => {
    const result = failedRun({ runId: 'runLink1', finishedAt: new Date().toISOString() });
    await fanOut('ok').publish(result);
    const s = await nagios.waitForService('shop-prod', 'synthetic-checkout', (b) => b.current_state === '2');
    assert.equal(s.long_plugin_output.split('\\n')[0], `run page: ${PUBLIC_URL}/runs/runLink1`);
    assert.match(s.long_plugin_output.split('\\n')[1], /^✗ cart › pays by card/);
  });

  it('a pause sends OK "paused until …" instead of the failure', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const pause: PausedPair = { suite: 'checkout', environment: 'production', until, reason: 'deploy of 4.2', source: 'manual' };
    await fanOut('ok', () => new Date(Date.now() + 2000)).publishPause(pause, 'pause');
    const s = await nagios.waitForService('shop-prod', 'synthetic-checkout', (b) => b.current_state === '0');
    assert.equal(s.plugin_output, `OK - checkout: paused until ${until} (deploy of 4.2)`);
    assert.equal(s.long_plugin_output.split('\\n')[0], `suite page: ${PUBLIC_URL}/suites/checkout/production`);
    assert.equal(s.scheduled_downtime_depth, '0', 'mode ok schedules no downtime');
  });

  it('in downtime mode the pause is also a scheduled downtime, removed by an early resume', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const pause: PausedPair = { suite: 'checkout', environment: 'production', until, reason: 'db migration', source: 'window' };
    await fanOut('downtime', () => new Date(Date.now() + 4000)).publishPause(pause, 'pause');
    await nagios.waitForService('shop-prod', 'synthetic-checkout', (b) => b.scheduled_downtime_depth === '1');
    await fanOut('downtime', () => new Date(Date.now() + 6000)).publishPause(pause, 'resume');
    const s = await nagios.waitForService('shop-prod', 'synthetic-checkout', (b) => b.scheduled_downtime_depth === '0');
    assert.match(s.plugin_output, /^OK - checkout: resumed/);
  });
});

describe('alert links → real Icinga 2', { skip: requireBinary('icinga2', icinga2Available()), timeout: 90_000 }, () => {
  let icinga: Icinga2Server;
  before(async () => {
    icinga = await startIcinga2({ services: [{ host: 'shop-prod', service: 'synthetic-checkout' }] });
  });
  after(async () => {
    await icinga?.stop();
  });

  it("the check result's output carries the run page's URL on its first long line", async () => {
    const result = failedRun({ runId: 'runLink2' });
    const transport = createIcinga2Transport({
      url: icinga.url,
      user: icinga.user,
      password: icinga.password,
      ca: icinga.caFile,
      tlsServerName: icinga.tlsServerName,
    });
    await transport.send(buildCheckResult(result, namingFor(naming, result)));
    const r = (await icinga.serviceAttrs('shop-prod', 'synthetic-checkout')).last_check_result;
    assert.equal(r.output.split('\n')[1], `run page: ${PUBLIC_URL}/runs/runLink2`);
  });

  it('without api.publicURL there is no link (the check above can fail)', async () => {
    const result = failedRun({ runId: 'runLink3' });
    const check = buildCheckResult(result, namingFor({ environments: naming.environments }, result));
    assert.ok(!check.longOutput.some((l) => l.includes('run page')));
  });
});
