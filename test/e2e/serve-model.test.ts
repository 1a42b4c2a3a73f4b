// The service model inside a real `vigil serve`, against a real Nagios 4: the JSON API, the page that
// draws the tree, the per-node gauges, and the node's aggregated state sent back to Nagios as the
// service-level passive check the seed asks for.
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { startModelNagios, type ModelNagios } from '../helpers/nagios-model-server.ts';
import { ask, eventually, metricValue, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

const APPS = ['app-0', 'app-1', 'app-2'];

describe('vigil serve evaluates the service model', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 180_000 }, () => {
  let e: E2E;
  let nagios: ModelNagios;
  let s: Served;
  const allOk = () =>
    nagios.command(
      'PROCESS_SERVICE_CHECK_RESULT;shop-lb;HTTP;0;HTTP OK',
      ...APPS.flatMap((h) => [`PROCESS_HOST_CHECK_RESULT;${h};0;PING OK`, `PROCESS_SERVICE_CHECK_RESULT;${h};HTTP;0;HTTP OK`]),
    );

  before(async () => {
    e = await setupE2E();
    nagios = await startModelNagios({
      hosts: [{ name: 'shop-lb' }, { name: 'vigil-model' }, ...APPS.map((name) => ({ name, groups: ['shop-app'] }))],
      services: [{ host: 'shop-lb', service: 'HTTP' }, { host: 'vigil-model', service: 'shop' }, ...APPS.map((host) => ({ host, service: 'HTTP' }))],
    });
    await allOk();
    await nagios.waitForStatus((st) => st.services.filter((b) => b.has_been_checked === '1').length === 4);
    await writeServeConfig(e, quickSuite('quick'));
    await appendFile(
      e.configFile,
      `exporters:
  nagios:
    commandFile: ${nagios.commandFile}
model:
  evaluateEvery: 1s
  sources:
    nagios: { statusFile: ${nagios.statusFile} }
  nodes:
    - name: shop
      nagios: { host: vigil-model, service: shop }
      # What receives traffic, as an inventory command prints it: app-9 is new, app-2 is gone.
      pool: { command: [${JSON.stringify(process.execPath)}, -e, "for (const n of ['app-0', 'app-1', 'app-9']) console.log(n)"] }
      checks:
        - nagios: { host: shop-lb, service: HTTP }
      members:
        min: 2
        discover: { source: nagios, hostgroup: shop-app, checks: [HTTP] }
`,
    );
    s = await startServe(e);
  });
  after(async () => {
    await s?.stop();
    await nagios?.stop();
    await e?.close();
  });

  test('GET /api/model/<node> answers both questions, transitively by default, for any node of the tree', async () => {
    const shop = await eventually(async () => {
      const r = await ask(`${s.url}/api/model/shop`);
      return r.status === 200 && (r.json.allGreen as { holds: boolean }).holds ? r : undefined;
    }, 'shop all green in the API');
    assert.equal((shop.json.allGreen as { checks: number }).checks, 7);
    assert.equal(shop.json.transitive, true);
    const own = await ask(`${s.url}/api/model/shop?transitive=false`);
    assert.equal((own.json.allGreen as { checks: number }).checks, 1);
    const member = await ask(`${s.url}/api/model/shop/app-1`);
    assert.equal(member.status, 200);
    assert.equal((member.json.node as { path: string }).path, 'shop/app-1');
    const missing = await ask(`${s.url}/api/model/shpo`);
    assert.equal(missing.status, 404);
    assert.match(String(missing.json.error), /did you mean 'shop'/);
    assert.equal((await ask(`${s.url}/api/model/shop?transitive=maybe`)).status, 400);
  });

  test('coverage: the gaps between the pool and the monitored members as vigil_model_coverage_gaps{node,kind}', async () => {
    const text = await eventually(async () => {
      const t = await (await fetch(`${s.url}/metrics`)).text();
      return metricValue(t, 'vigil_model_coverage_up', { node: 'shop' }) === 1 ? t : undefined;
    }, 'coverage evaluated');
    assert.equal(metricValue(text, 'vigil_model_coverage_gaps', { node: 'shop', kind: 'unmonitored' }), 1, 'app-9');
    assert.equal(metricValue(text, 'vigil_model_coverage_gaps', { node: 'shop', kind: 'not-in-pool' }), 1, 'app-2');
    assert.equal(metricValue(text, 'vigil_model_coverage_gaps', { node: 'shop', kind: 'disabled' }), 0);
  });

  test('a member going down: the gauges, the page and the passive service in Nagios all say so', async () => {
    await allOk();
    await nagios.command('PROCESS_SERVICE_CHECK_RESULT;app-2;HTTP;2;HTTP CRITICAL - connection refused');
    await eventually(async () => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return metricValue(text, 'vigil_model_all_green', { node: 'shop', scope: 'transitive' }) === 0 ? text : undefined;
    }, 'vigil_model_all_green{scope=transitive} 0');
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(metricValue(text, 'vigil_model_all_green', { node: 'shop', scope: 'own' }), 1, "the shop's own check is still green");
    assert.equal(metricValue(text, 'vigil_model_node_state', { node: 'shop' }), 2, 'and (worst) over a CRITICAL member');
    assert.ok(!/vigil_model_node_state\{node="shop\/app-2"\}/.test(text), 'discovered members are not series of their own');

    const status = await nagios
      .waitForStatus(() => true)
      .then(() =>
        eventually(async () => {
          const b = await nagios.service('vigil-model', 'shop');
          return b && b.current_state === '2' ? b : undefined;
        }, 'the passive shop service CRITICAL in status.dat'),
      );
    assert.match(status.plugin_output, /^CRITICAL - shop: 1 of 7 checks not green: nagios:app-2!HTTP$/);

    const page = await fetch(`${s.url}/model/shop`);
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, /<b>Transitively<\/b>: all green no/);
    assert.match(body, /shop\/app-2: nagios:app-2!HTTP is CRITICAL/);

    await allOk();
    await eventually(async () => {
      const b = await nagios.service('vigil-model', 'shop');
      return b && b.current_state === '0' ? b : undefined;
    }, 'the passive shop service back to OK');
  });
});
