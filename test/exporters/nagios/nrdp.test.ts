import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createNrdpTransport, parseNrdpAnswer } from '../../../src/exporters/nagios/nrdp.ts';
import { buildCheckResult } from '../../../src/exporters/nagios/check-result.ts';
import { ExportError } from '../../../src/shared/errors.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../../helpers/nagios-server.ts';
import { startNrdpStandIn, type NrdpStandIn } from '../../helpers/nagios-nrdp.ts';
import { freePort } from '../../helpers/nagios-nsca.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { failedRun, runResult } from './run-results.ts';

const TOKEN = 'nrdp-token-5f1c9e';

describe('NRDP answers', () => {
  it('reads JSON and XML answers', () => {
    assert.deepEqual(parseNrdpAnswer('{"result":{"status":0,"message":"OK","meta":{"output":"1 checks processed"}}}'), { status: 0, message: 'OK' });
    assert.deepEqual(parseNrdpAnswer('<?xml version="1.0"?>\n<result>\n  <status>-1</status>\n  <message>BAD TOKEN</message>\n</result>'), {
      status: -1,
      message: 'BAD TOKEN',
    });
    assert.equal(parseNrdpAnswer('<html>oops</html>'), undefined);
  });
});

describe('NRDP transport → NRDP stand-in → real Nagios', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 60_000 }, () => {
  let nagios: NagiosServer;
  let nrdp: NrdpStandIn;
  before(async () => {
    nagios = await startNagios({ services: [{ host: 'shop-prod', service: 'synthetic-checkout' }] });
    nrdp = await startNrdpStandIn({ commandFile: nagios.commandFile, token: TOKEN });
  });
  after(async () => {
    await nrdp?.stop();
    await nagios?.stop();
  });

  it('submits a check that Nagios then shows', async () => {
    const check = buildCheckResult(failedRun(), { host: 'shop-prod' });
    await createNrdpTransport({ url: nrdp.url, token: TOKEN }).send(check);
    const form = new URLSearchParams(nrdp.requests.at(-1));
    assert.equal(form.get('cmd'), 'submitcheck');
    const sent = JSON.parse(form.get('json')!);
    assert.equal(sent.checkresults[0].servicename, 'synthetic-checkout');
    assert.equal(sent.checkresults[0].state, '2');
    const s = await nagios.waitForService('shop-prod', 'synthetic-checkout', (b) => b.last_check !== '0');
    assert.equal(s.current_state, '2');
    assert.equal(s.performance_data, check.perfdata);
    assert.equal(s.long_plugin_output.split('\\n')[0], '✗ cart › pays by card (tests/cart.spec.ts:42)');
  });

  it('a bad token is an ExportError that does not show the token', async () => {
    const wrong = 'wrong-token-77aa';
    await assert.rejects(createNrdpTransport({ url: nrdp.url, token: wrong }).send(buildCheckResult(runResult())), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /NRDP refused the result: BAD TOKEN/);
      assert.ok(!err.message.includes(wrong));
      return true;
    });
  });
});

describe('NRDP transport failures', { timeout: 20_000 }, () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/html')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>login page</html>');
      } else {
        res.writeHead(500);
        res.end('{"result":{"status":-1,"message":"internal"}}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('rejects non-NRDP answers, HTTP errors and refused connections', async () => {
    const check = buildCheckResult(runResult());
    await assert.rejects(createNrdpTransport({ url: `${url}/html`, token: TOKEN }).send(check), /answer is not an NRDP result/);
    await assert.rejects(createNrdpTransport({ url: `${url}/nrdp`, token: TOKEN }).send(check), /answered HTTP 500: internal/);
    const port = await freePort();
    await assert.rejects(createNrdpTransport({ url: `http://127.0.0.1:${port}/nrdp`, token: TOKEN }).send(check), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /POST failed: ECONNREFUSED/);
      assert.ok(!err.message.includes(TOKEN));
      return true;
    });
  });
});
