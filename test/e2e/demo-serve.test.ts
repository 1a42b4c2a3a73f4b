// `npm start` with no config file: the bundled demo app and suite, and now a service model of one node
// (the demo suite's last run) and a Scenarios page that says how to get a scenario run — both pages
// show something out of the box, and point to the example stack for the full one.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

describe('vigil serve without a config file (the bundled demo)', { timeout: 240_000 }, () => {
  test('the Model page shows the demo app, green once the demo run passed; Scenarios says how to run one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-demo-serve-'));
    const serve = spawnVigil(['serve', '--listen', '127.0.0.1:0', '--grace', '1s'], { cwd: dir, env: { VIGIL_CONFIG: '' } });
    try {
      const out = await waitForOutput(serve, 'stderr', (t) => /"msg":"vigil serving"/.test(t), 60_000);
      assert.match(out, /no config file: running the bundled demo app and suite/);
      assert.match(out, /demo\/stack\/start\.ts/);
      const url = /"url":"([^"]+)"/.exec(out.slice(out.indexOf('vigil serving') - 400))![1];

      // Before the first run ends the check has nothing to rest on: never green.
      let node: { state: string; checks: Array<{ id: string; reason: string }> } | undefined;
      let holds = false;
      for (let i = 0; i < 150 && !holds; i++) {
        const r = await fetch(`${url}/api/model/demo-app`);
        if (r.status === 200) {
          const body = (await r.json()) as { node: typeof node; allGreen: { holds: boolean } };
          node = body.node;
          holds = body.allGreen.holds;
          if (i === 0 || !holds) assert.notEqual(node!.state, 'OK', 'green before the demo run finished');
        }
        if (!holds) await sleep(1_000);
      }
      assert.ok(holds, `demo-app never became all green: ${JSON.stringify(node)}`);
      assert.deepEqual(
        node!.checks.map((c) => [c.id, c.reason]),
        [['vigil:demo@demo', 'fresh']],
      );
      const model = await (await fetch(`${url}/model`)).text();
      assert.match(model, /demo-app/);
      const scenarios = await (await fetch(`${url}/scenarios`)).text();
      assert.match(scenarios, /No scenario run recorded yet/);
      assert.match(scenarios, /node demo\/stack\/start\.ts/);
    } finally {
      serve.kill('SIGTERM');
      await serve.done;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
