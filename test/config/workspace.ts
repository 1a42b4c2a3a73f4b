// A throwaway folder laid out like a project using Vigil: a suite folder with a Playwright config and a
// tenant module, so path checks pass against real files.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

export interface Workspace {
  dir: string;
  write(path: string, text: string): string;
  writeConfig(config: unknown, path?: string): string;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const write = (path: string, text: string) => {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  write('suites/demo/playwright.config.ts', 'export default {};\n');
  write('tenants/demo-module.ts', 'export async function create() { return { id: "1" }; }\n');
  return {
    dir,
    write,
    writeConfig: (config, path = 'vigil.yaml') => write(path, typeof config === 'string' ? config : stringify(config)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A small valid config; tests break one thing at a time. */
export const validConfig = () => ({
  environments: {
    staging: { baseURL: 'https://staging.example.com', tenants: 'shop' },
    production: { baseURL: 'https://shop.example.com', tenants: 'shop' },
  },
  tenants: {
    shop: {
      kind: 'http',
      create: {
        url: '{{environment.baseURL}}/admin/tenants',
        headers: { authorization: 'Bearer ${SHOP_ADMIN_TOKEN}' },
        body: { name: '{{tenant.name}}' },
      },
      fields: { id: 'id', email: 'owner.email', password: 'owner.password' },
      delete: { url: '{{environment.baseURL}}/admin/tenants/{{tenant.id}}' },
    },
  } as Record<string, unknown>,
  suites: {
    checkout: {
      path: 'suites/demo',
      environments: ['staging', 'production'],
      schedule: '*/5 * * * *',
      timeout: '10m',
      retries: 1,
      grepInvert: { production: '@payments' },
    } as Record<string, unknown>,
  },
});

export const validEnv = { SHOP_ADMIN_TOKEN: 'admin-token-123456' };
