import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIcinga2Transport } from '../../../src/exporters/nagios/icinga2.ts';
import { buildCheckResult } from '../../../src/exporters/nagios/check-result.ts';
import { ConfigError, ExportError } from '../../../src/shared/errors.ts';
import { icinga2Available, startIcinga2, type Icinga2Server } from '../../helpers/nagios-icinga2.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { failedRun, runResult } from './run-results.ts';

describe('Icinga 2 transport → real Icinga 2 API', { skip: requireBinary('icinga2', icinga2Available()), timeout: 90_000 }, () => {
  let icinga: Icinga2Server;
  before(async () => {
    icinga = await startIcinga2({ services: [{ host: 'shop-prod', service: 'synthetic-checkout' }] });
  });
  after(async () => {
    await icinga?.stop();
  });
  const transport = () =>
    createIcinga2Transport({ url: icinga.url, user: icinga.user, password: icinga.password, ca: icinga.caFile, tlsServerName: icinga.tlsServerName });

  it('process-check-result sets the service state, output and perfdata', async () => {
    const check = buildCheckResult(failedRun(), { host: 'shop-prod' });
    await transport().send(check);
    const attrs = await icinga.serviceAttrs('shop-prod', 'synthetic-checkout');
    assert.equal(attrs.state, 2);
    assert.ok(attrs.last_check > 0);
    const r = attrs.last_check_result;
    assert.equal(r.check_source, 'vigil');
    assert.equal(r.output.split('\n')[0], 'CRITICAL - checkout: 2 of 14 tests failed: cart › pays by card; search › finds a note');
    assert.equal(r.output.split('\n')[1], '✗ cart › pays by card (tests/cart.spec.ts:42)');
    assert.deepEqual(r.performance_data, ['passed=12;;;0', 'failed=2;;;0', 'flaky=0;;;0', 'skipped=0;;;0', 'duration=31.2s;;;0']);
  });

  it('an unknown service is an ExportError, not a silent success', async () => {
    await assert.rejects(transport().send(buildCheckResult(runResult(), { host: 'shop-prod', service: 'synthetic-nope' })), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /no such service/);
      return true;
    });
  });

  it('a wrong password is an ExportError that does not show it', async () => {
    const wrong = 'definitely-wrong-pw';
    const t = createIcinga2Transport({ url: icinga.url, user: icinga.user, password: wrong, ca: icinga.caFile, tlsServerName: icinga.tlsServerName });
    await assert.rejects(t.send(buildCheckResult(runResult(), { host: 'shop-prod' })), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /401/);
      assert.ok(!err.message.includes(wrong));
      return true;
    });
  });

  it('refuses an unknown certificate unless told insecure', async () => {
    const t = createIcinga2Transport({ url: icinga.url, user: icinga.user, password: icinga.password });
    await assert.rejects(t.send(buildCheckResult(runResult(), { host: 'shop-prod' })), /TLS verification failed/);
    const lab = createIcinga2Transport({ url: icinga.url, user: icinga.user, password: icinga.password, insecure: true });
    await lab.send(buildCheckResult(runResult(), { host: 'shop-prod' }));
    assert.equal((await icinga.serviceAttrs('shop-prod', 'synthetic-checkout')).state, 0);
  });
});

describe('Icinga 2 transport config', () => {
  it('rejects plain HTTP and an unreadable CA file at config time', () => {
    assert.throws(() => createIcinga2Transport({ url: 'http://127.0.0.1:5665', user: 'u', password: 'p' }), ConfigError);
    assert.throws(
      () => createIcinga2Transport({ url: 'https://127.0.0.1:5665', user: 'u', password: 'p', ca: '/nonexistent/ca.crt' }),
      /cannot read the CA file/,
    );
  });
});
