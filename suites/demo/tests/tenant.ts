import path from 'node:path';
import type { TestInfo } from '@playwright/test';

// Credentials come only from the environment: whoever runs the suite (a developer, CI, Vigil) creates
// the tenant and passes its owner's login in.

export interface TenantCredentials {
  email: string;
  password: string;
}

export function tenantCredentials(): TenantCredentials {
  const missing = ['BASE_URL', 'VIGIL_TENANT_EMAIL', 'VIGIL_TENANT_PASSWORD'].filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} not set: run as BASE_URL=http://127.0.0.1:PORT VIGIL_TENANT_EMAIL=… VIGIL_TENANT_PASSWORD=… npx playwright test (see suites/demo/README.md)`,
    );
  }
  return { email: process.env.VIGIL_TENANT_EMAIL!, password: process.env.VIGIL_TENANT_PASSWORD! };
}

/**
 * Where the setup project saves the signed-in state. Inside the run's output folder, so two runs
 * against different tenants at once never share a session and nothing outlives the run's artifacts.
 */
export const authFile = (testInfo: TestInfo): string =>
  path.join(testInfo.project.outputDir, '.auth', 'tenant.json');
