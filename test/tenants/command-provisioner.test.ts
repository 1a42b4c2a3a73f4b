import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { ProvisionError } from '../../src/shared/errors.ts';
import { createRedactor } from '../../src/shared/redact.ts';
import { createProvisioner } from '../../src/tenants/create-provisioner.ts';
import type { CommandProvisionerSpec } from '../../src/tenants/types.ts';
import { captureLog } from './helpers/capture-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-command-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const node = process.execPath;
const environment = { name: 'staging', baseURL: 'http://127.0.0.1:9' };
const ADMIN_TOKEN = 'adm-7f3a9c2e1b';

const script = (name: string, source: string): string => {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
};

// A tenant "service" kept in a JSON file, so create, list and delete see the same state.
const db = join(dir, 'tenants.json');
const service = script(
  'service.ts',
  `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const db = ${JSON.stringify(db)};
const all = existsSync(db) ? JSON.parse(readFileSync(db, 'utf8')) : {};
const call = process.argv[2];
if (call === 'create') {
  const id = 'c' + Object.keys(all).length;
  all[id] = { id, name: process.env.VIGIL_TENANT_NAME, createdAt: new Date().toISOString(),
    env: process.env.VIGIL_ENVIRONMENT_NAME, base: process.env.VIGIL_ENVIRONMENT_BASEURL };
  writeFileSync(db, JSON.stringify(all));
  process.stdout.write(JSON.stringify({ ...all[id], owner: { email: 'o@example.test', password: 'pw-' + id + '-s3cret' } }));
} else if (call === 'delete') {
  let stdin = '';
  for await (const chunk of process.stdin) stdin += chunk;
  const tenant = JSON.parse(stdin);
  if (tenant.id !== process.env.VIGIL_TENANT_ID || JSON.parse(process.env.VIGIL_TENANT_JSON).id !== tenant.id) process.exit(9);
  delete all[tenant.id];
  writeFileSync(db, JSON.stringify(all));
} else if (call === 'list') {
  process.stdout.write(JSON.stringify(Object.values(all)));
}
`,
);

const spec = (overrides: Partial<CommandProvisionerSpec> = {}): CommandProvisionerSpec => ({
  kind: 'command',
  prefix: 'vigil',
  ttl: 60_000,
  timeout: 5_000,
  secretFields: [],
  create: { command: [node, service, 'create'] },
  delete: { command: [node, service, 'delete'] },
  list: { command: [node, service, 'list'] },
  ...overrides,
});

const setup = (overrides: Partial<CommandProvisionerSpec> = {}) => {
  const redact = createRedactor([ADMIN_TOKEN]);
  const provisioner = createProvisioner('cmd', spec(overrides), { cwd: dir, log: captureLog().log, redact });
  return { provisioner, redact };
};

const failureOf = async (promise: Promise<unknown>): Promise<ProvisionError> => {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ProvisionError, `expected a ProvisionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
};

describe('command provisioner', () => {
  it('creates from printed JSON (nested keys flattened), lists, and deletes with the tenant on stdin and in env', async () => {
    const { provisioner, redact } = setup();
    const fields = await provisioner.create({ name: 'vigil-shop-aaa', environment });
    assert.equal(fields.id, 'c0');
    assert.equal(fields.name, 'vigil-shop-aaa');
    assert.equal(fields.env, 'staging');
    assert.equal(fields.base, environment.baseURL);
    assert.equal(fields['owner.email'], 'o@example.test');
    assert.equal(redact(fields['owner.password']), '***', 'nested password registered as a secret');

    const listed = await provisioner.list!(environment);
    assert.deepEqual(
      listed.map((t) => [t.id, t.name, t.createdAt instanceof Date]),
      [['c0', 'vigil-shop-aaa', true]],
    );
    await provisioner.destroy({ name: 'vigil-shop-aaa', fields: { id: fields.id, name: fields.name }, environment });
    assert.deepEqual(JSON.parse(readFileSync(db, 'utf8')), {});
  });

  it('reports a non-zero exit with its code and the redacted tail of stderr', async () => {
    const failing = script('fail.ts', `console.error('cannot reach admin API with token ${ADMIN_TOKEN}'); process.exit(3);`);
    const { provisioner } = setup({ create: { command: [node, failing] } });
    const err = await failureOf(provisioner.create({ name: 'vigil-shop-bbb', environment }));
    assert.equal(err.message, `tenants.cmd.create: command "${node} ${failing}" exited with code 3: cannot reach admin API with token ***`);
  });

  it('quotes a short redacted excerpt when stdout is not JSON', async () => {
    const chatty = script('chatty.ts', `console.log('Created tenant! token=${ADMIN_TOKEN} ' + 'x'.repeat(200));`);
    const { provisioner } = setup({ create: { command: [node, chatty] } });
    const err = await failureOf(provisioner.create({ name: 'vigil-shop-ccc', environment }));
    assert.match(err.message, /^tenants\.cmd\.create: command printed something that is not JSON on stdout: "Created tenant! token=\*\*\* x+…"$/);
    assert.ok(!err.message.includes(ADMIN_TOKEN));
  });

  it('insists on an id', async () => {
    const noId = script('no-id.ts', `console.log(JSON.stringify({ name: 'x' }));`);
    const { provisioner } = setup({ create: { command: [node, noId] } });
    assert.match((await failureOf(provisioner.create({ name: 'vigil-shop-ddd', environment }))).message, /answer has no "id"/);
  });

  it('kills the whole process group when the command outlives the timeout', async () => {
    const pids = join(dir, 'pids.json');
    const hang = script(
      'hang.ts',
      `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pids)}, JSON.stringify([process.pid, child.pid]));
setInterval(() => {}, 1000);
`,
    );
    const { provisioner } = setup({ timeout: 1_500, create: { command: [node, hang] } });
    const err = await failureOf(provisioner.create({ name: 'vigil-shop-eee', environment }));
    assert.match(err.message, /^tenants\.cmd\.create: command ".*hang\.ts" timed out after 1\.5s; its process group was killed$/);
    assert.ok(existsSync(pids), 'the command had started its child before the timeout');
    // A killed orphan stays a zombie until this machine's init reaps it, which can take seconds: a zombie is dead.
    const alive = (pid: number) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
      } catch {
        return false;
      }
    };
    const started = JSON.parse(readFileSync(pids, 'utf8')) as number[];
    for (let i = 0; i < 50 && started.some(alive); i++) await sleep(100);
    assert.deepEqual(started.filter(alive), [], 'neither the command nor its child survives');
  });

  it('a command ignoring SIGTERM is killed after the grace: the call ends at timeout + 1 s, not when the command would', async () => {
    const stubborn = script('stubborn.sh', "trap '' TERM\nsleep 40 & wait\n");
    const { provisioner } = setup({ timeout: 1_000, create: { command: ['sh', stubborn] } });
    const started = Date.now();
    const err = await failureOf(provisioner.create({ name: 'vigil-shop-ggg', environment }));
    const took = Date.now() - started;
    assert.match(err.message, /^tenants\.cmd\.create: command "sh .*stubborn\.sh" timed out after 1\.0s; its process group was killed$/);
    assert.ok(took < 4_000, `the call returned after ${took} ms`);
  });

  it('a command that leaves a daemon holding its stdout returns when it exits, and the daemon is killed: nothing it starts outlives the call', async () => {
    const marker = join(dir, 'daemon-pid');
    const daemon = script('daemon.sh', `sleep 30 &\necho $! > ${marker}\necho '{"id":"d1"}'\n`);
    const { provisioner } = setup({ create: { command: ['sh', daemon] } });
    const started = Date.now();
    const fields = await provisioner.create({ name: 'vigil-shop-hhh', environment });
    assert.equal(fields.id, 'd1');
    assert.ok(Date.now() - started < 3_000, 'not held by the daemon keeping stdout open');
    const pid = Number(readFileSync(marker, 'utf8'));
    const stat = (() => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        return '';
      }
    })();
    assert.ok(stat === '' || stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z', `the daemon ${pid} is gone`);
  });

  it('says when the command cannot start', async () => {
    const { provisioner } = setup({ create: { command: [join(dir, 'no-such-binary')] } });
    assert.match((await failureOf(provisioner.create({ name: 'vigil-shop-fff', environment }))).message, /could not start: spawn .*no-such-binary ENOENT/);
  });
});
