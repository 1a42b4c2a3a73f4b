import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRedactor } from '../../src/shared/redact.ts';
import { createProvisioner } from '../../src/tenants/create-provisioner.ts';
import type { ModuleProvisionerSpec } from '../../src/tenants/types.ts';
import { captureLog } from './helpers/capture-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-module-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const environment = { name: 'staging', baseURL: 'http://127.0.0.1:9' };

const moduleFile = (name: string, source: string) => {
  writeFileSync(join(dir, name), source);
  return name; // relative: resolved against deps.cwd
};
const setup = (spec: Omit<ModuleProvisionerSpec, 'kind'>) => {
  const redact = createRedactor();
  return { redact, provisioner: createProvisioner('mod', { kind: 'module', ...spec }, { cwd: dir, log: captureLog().log, redact }) };
};

describe('module provisioner', () => {
  it('loads a TypeScript module and passes name, environment and options through', async () => {
    const file = moduleFile(
      'tenants.ts',
      `
const tenants = new Map<string, { id: string; name: string; createdAt: string }>();
export async function create({ name, environment, options }: { name: string; environment: { baseURL: string }; options: { plan: string } }) {
  const t = { id: String(tenants.size + 1), name, createdAt: new Date().toISOString() };
  tenants.set(t.id, t);
  return { id: t.id, plan: options.plan, at: environment.baseURL, credentials: { apiKey: 'key-' + name } };
}
export async function destroy({ fields }: { fields: { id: string } }) {
  if (!tenants.delete(fields.id)) throw new Error('no tenant ' + fields.id);
}
export function list() { return [...tenants.values()]; }
`,
    );
    const { provisioner, redact } = setup({ module: file, options: { plan: 'free' } });
    await provisioner.ready!();
    assert.equal(typeof provisioner.list, 'function');
    const fields = await provisioner.create({ name: 'vigil-a-1', environment });
    assert.deepEqual(fields, { id: '1', plan: 'free', at: environment.baseURL, 'credentials.apiKey': 'key-vigil-a-1' });
    assert.equal(redact('key-vigil-a-1'), '***');
    assert.deepEqual(
      (await provisioner.list!(environment)).map((t) => t.name),
      ['vigil-a-1'],
    );
    await provisioner.destroy({ name: 'vigil-a-1', fields: { id: '1' }, environment });
    await assert.rejects(
      provisioner.destroy({ name: 'vigil-a-1', fields: { id: '1' }, environment }),
      /^ProvisionError: tenants\.mod\.delete: module .*tenants\.ts threw: no tenant 1$/,
    );
  });

  it('names the file when create or destroy is not exported', async () => {
    const file = moduleFile('half.ts', `export function create() { return { id: '1' }; }`);
    const { provisioner } = setup({ module: file });
    await assert.rejects(provisioner.create({ name: 'vigil-a-2', environment }), (err: Error) => {
      assert.equal(err.message, `tenants.mod.load: module ${join(dir, 'half.ts')} does not export a "destroy" function`);
      return true;
    });
  });

  it('has no list after ready() when the module exports none', async () => {
    const file = moduleFile('nolist.ts', `export const create = () => ({ id: 1 }); export const destroy = () => {};`);
    const { provisioner } = setup({ module: file });
    await provisioner.ready!();
    assert.equal(provisioner.list, undefined);
    assert.deepEqual(await provisioner.create({ name: 'vigil-a-3', environment }), { id: '1' });
  });

  it('rejects an answer without an id, and a module that ignores its timeout', async () => {
    const file = moduleFile(
      'bad.ts',
      `export const create = ({ name }: { name: string }) => name === 'slow' ? new Promise(() => {}) : { name };
       export const destroy = () => {};`,
    );
    const { provisioner } = setup({ module: file, timeout: 200 });
    await assert.rejects(provisioner.create({ name: 'fast', environment }), /tenants\.mod\.create: answer has no "id"/);
    await assert.rejects(provisioner.create({ name: 'slow', environment }), /tenants\.mod\.create: module .*bad\.ts timed out after 0\.2s$/);
  });
});
