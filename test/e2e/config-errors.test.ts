// Bad configuration is refused before anything happens: one clear message naming where and what,
// exit code 3 (UNKNOWN: nothing was tested), and nothing written — no store, no tenant.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

describe('bad config files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-badcfg-'));
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const store = () => path.join(dir, 'vigil.db');
  const valid = (patch: (s: string) => string = (s) => s) =>
    patch(`store: ${store()}
environments:
  local: { baseURL: "http://127.0.0.1:9", tenants: demo }
tenants:
  demo:
    kind: http
    create: { method: POST, url: "{{environment.baseURL}}/admin/tenants", headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }, body: { name: "{{tenant.name}}" } }
    fields: { id: id }
    delete: { method: DELETE, url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}", headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" } }
suites:
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    schedule: "*/5 * * * *"
`);

  const cases: Array<{ name: string; yaml: string; env?: NodeJS.ProcessEnv; expect: RegExp }> = [
    { name: 'YAML syntax error', yaml: 'environments: [\n  local: {', expect: /vigil\.yaml:\d+:\d+/ },
    { name: 'invalid cron', yaml: valid((s) => s.replace('*/5 * * * *', '*/5 * *')), expect: /suites\.demo\.schedule.*cron/i },
    { name: 'missing environment variable', yaml: valid(), env: { DEMO_ADMIN_TOKEN: undefined }, expect: /DEMO_ADMIN_TOKEN/ },
    { name: 'unknown key', yaml: valid((s) => s.replace('schedule:', 'retires: 1\n    schedule:')), expect: /suites\.demo.*retires/ },
    {
      name: 'undefined environment',
      yaml: valid((s) => s.replace('environments: [local]', 'environments: [staging]')),
      expect: /suites\.demo\.environments.*staging/,
    },
    { name: 'undefined provisioner', yaml: valid((s) => s.replace('tenants: demo }', 'tenants: shop }')), expect: /environments\.local\.tenants.*shop/ },
    {
      name: 'secret written in the YAML',
      yaml: valid((s) => s.replaceAll('Bearer ${DEMO_ADMIN_TOKEN}', 'Bearer hunter2hunter2')),
      expect: /authorization.*environment/i,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: one clear error, exit 3, nothing written`, async () => {
      const file = path.join(dir, 'vigil.yaml');
      await writeFile(file, c.yaml);
      for (const args of [
        ['config', 'check'],
        ['run', '--suite', 'demo', '--environment', 'local'],
      ]) {
        const r = await runVigil([...args, '--config', file], { env: { DEMO_ADMIN_TOKEN: 'tok-0123456789', ...c.env } });
        assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, c.expect);
        assert.match(r.stderr, /configuration error/);
        assert.equal(r.stdout, '');
        assert.ok(!existsSync(store()), 'no store was created');
        assert.ok(!r.stderr.includes('hunter2hunter2'), 'the literal secret is not echoed');
      }
    });
  }

  test('a config file that does not exist is named', async () => {
    const r = await runVigil(['run', '--config', path.join(dir, 'nope.yaml')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /nope\.yaml/);
  });

  test('the valid file passes `vigil config check` without printing the token', async () => {
    const file = path.join(dir, 'vigil.yaml');
    await writeFile(file, valid());
    const r = await runVigil(['config', 'check', '--config', file], { env: { DEMO_ADMIN_TOKEN: 'tok-0123456789' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /config OK/);
    assert.ok(!r.stdout.includes('tok-0123456789'));
    assert.ok(!existsSync(store()));
  });
});
