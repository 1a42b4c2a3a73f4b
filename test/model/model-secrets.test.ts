// The model's source credentials follow vigil.yaml's rule: secrets come from the environment, never the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/model/index.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

const source = (password: string) =>
  `sources:\n  icinga2: { url: "https://icinga:5665", user: vigil, password: ${JSON.stringify(password)} }\nnodes:\n  - name: shop\n    checks: [{ icinga2: { host: shop-lb } }]\n`;

describe('Icinga 2 password in the model', () => {
  it('a literal password is refused, inline or in a model file, naming where; ${VAR} is filled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-model-secrets-'));
    try {
      const inline = join(dir, 'inline.yaml');
      await writeFile(inline, `model:\n${source('hunter2').replace(/^/gm, '  ')}`);
      await assert.rejects(loadModel({ config: inline, env: {} }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /model\.sources\.icinga2\.password: put secrets in the environment/);
        assert.ok(!err.message.includes('hunter2'));
        return true;
      });
      await writeFile(join(dir, 'shop.yaml'), source('hunter2'));
      await writeFile(join(dir, 'by-file.yaml'), 'model: ./shop.yaml\n');
      await assert.rejects(
        loadModel({ config: join(dir, 'by-file.yaml'), env: {} }),
        /\.\/shop\.yaml: sources\.icinga2\.password: put secrets in the environment/,
      );
      await writeFile(join(dir, 'shop.yaml'), source('${ICINGA2_PASSWORD}'));
      const { model } = await loadModel({ config: join(dir, 'by-file.yaml'), env: { ICINGA2_PASSWORD: 's3cret' } });
      assert.equal(model.sources.icinga2?.password, 's3cret');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A token in a source's URL (some proxies take one in the path) comes back in the source's error; every
// output of the model — `model show`, `model check`, serve's /api/model — must mask it.
describe('a model secret in what the sources answer', () => {
  const TOKEN = 'zz-path-token-7c1e';
  const write = async (dir: string, extra = '') => {
    await writeFile(
      join(dir, 'model.yaml'),
      'sources:\n  prometheus: { url: "http://127.0.0.1:1/${PROM_PATH_TOKEN}" }\nnodes:\n  - name: shop\n    checks: [{ prometheus: { query: \'up{job="shop"}\', condition: "== 1" } }]\n',
    );
    await writeFile(join(dir, 'vigil.yaml'), `store: ./vigil.db\nmodel: ./model.yaml\n${extra}`);
    return join(dir, 'vigil.yaml');
  };

  it('is masked by model show and model check (stdout, stderr, --json)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-model-secrets-'));
    try {
      const config = await write(dir);
      const env = { PROM_PATH_TOKEN: TOKEN };
      const show = await runVigil(['model', 'show', '--config', config], { env, timeoutMs: 60_000 });
      assert.match(show.stdout, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:1\/\*\*\*/);
      const json = await runVigil(['model', 'show', '--json', '--config', config], { env, timeoutMs: 60_000 });
      const check = await runVigil(['model', 'check', 'shop', '--expect', 'all-green', '--within', '1s', '--interval', '200ms', '--config', config], {
        env,
        timeoutMs: 60_000,
      });
      assert.equal(check.code, 3, check.stderr);
      assert.match(check.stderr, /cannot ask the monitoring: .*\*\*\*/);
      for (const r of [show, json, check]) assert.ok(!(r.stdout + r.stderr).includes(TOKEN), r.stdout + r.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is masked by vigil serve: /api/model/NODE and the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-model-secrets-'));
    const config = await write(dir, 'environments: {}\ntenants: {}\nsuites: {}\napi: { listen: "127.0.0.1:0" }\n');
    const serve = spawnVigil(['serve', '--config', config], { env: { PROM_PATH_TOKEN: TOKEN } });
    try {
      const out = await waitForOutput(serve, 'stderr', (t) => /"msg":"vigil serving"/.test(t), 30_000);
      const url = /"url":"([^"]+)"/.exec(out)![1];
      let body = '';
      for (let i = 0; i < 50 && !body.includes('cannot reach'); i++) {
        body = await (await fetch(`${url}/api/model/shop`)).text();
        if (!body.includes('cannot reach')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(body, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:1\/\*\*\*/);
      assert.ok(!body.includes(TOKEN));
    } finally {
      serve.kill('SIGTERM');
      const r = await serve.done;
      await rm(dir, { recursive: true, force: true });
      assert.ok(!(r.stdout + r.stderr).includes(TOKEN), "the token is in serve's log");
    }
  });
});
