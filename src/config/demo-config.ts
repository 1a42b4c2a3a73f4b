// The setup `npm start` uses when there is no config file: the bundled demo app and its example suite.
import { join } from 'node:path';
import { ConfigError } from '../shared/errors.ts';
import type { VigilConfig, VigilConfigInput } from './schema.ts';
import { validateConfig } from './validate-config.ts';

export interface DemoConfigOptions {
  /** Where the in-process demo app listens, e.g. http://127.0.0.1:41234 */
  baseURL: string;
  /** The demo app's admin token; also hand it to the redactor (loadConfig's `demo` does). */
  adminToken: string;
  /** Store and artifacts go here. */
  dataDir: string;
  /** The repository (holds suites/demo). */
  repoRoot: string;
  /** api.token: lets the API trigger runs of the demo (from VIGIL_API_TOKEN). */
  apiToken?: string;
}

/** Throws ConfigError, like a bad vigil.yaml would, when the demo setup does not validate. */
export function demoConfig(options: DemoConfigOptions): VigilConfig {
  const validation = validateConfig(demoConfigInput(options), { baseDir: options.repoRoot });
  if (!validation.ok) throw new ConfigError(validation.problems, { where: 'bundled demo config' });
  return validation.config;
}

/**
 * What a vigil.yaml for the demo would hold: the demo app as an environment with its tenant API, the
 * demo suite every 5 minutes, and a service model of one node whose check is that suite's last run —
 * so the Model page has something to show; the example stack (demo/stack) has the full one.
 */
export function demoConfigInput({ baseURL, adminToken, dataDir, repoRoot, apiToken }: DemoConfigOptions): VigilConfigInput {
  const auth = { authorization: `Bearer ${adminToken}` };
  // The same input a vigil.yaml would give, so the demo is validated exactly like a user's file.
  const input: VigilConfigInput = {
    store: join(dataDir, 'vigil.db'),
    artifacts: { dir: join(dataDir, 'artifacts') },
    ...(apiToken ? { api: { token: apiToken } } : {}),
    environments: { demo: { baseURL, tenants: 'demo' } },
    tenants: {
      demo: {
        kind: 'http',
        create: {
          method: 'POST',
          url: '{{environment.baseURL}}/admin/tenants',
          headers: auth,
          body: { name: '{{tenant.name}}' },
        },
        fields: { id: 'id', email: 'owner.email', password: 'owner.password' },
        delete: { method: 'DELETE', url: '{{environment.baseURL}}/admin/tenants/{{tenant.id}}', headers: auth },
        list: {
          method: 'GET',
          url: '{{environment.baseURL}}/admin/tenants',
          headers: auth,
          items: 'tenants',
          fields: { id: 'id', name: 'name', createdAt: 'createdAt' },
        },
      },
    },
    suites: {
      demo: {
        path: join(repoRoot, 'suites', 'demo'),
        environments: ['demo'],
        schedule: '*/5 * * * *',
        timeout: '5m',
        retries: 1,
      },
    },
    model: {
      // The schedule is every 5 minutes: a last run older than two of them is stale, not green.
      nodes: [{ name: 'demo-app', checks: [{ vigil: { suite: 'demo', environment: 'demo' }, freshness: '11m' }] }],
    },
  };
  return input;
}
