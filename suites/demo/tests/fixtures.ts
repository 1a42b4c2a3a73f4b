import { randomUUID } from 'node:crypto';
import { test as base } from '@playwright/test';
import { authFile } from './tenant.ts';

export { expect } from '@playwright/test';

/** Tests start signed in as the tenant owner, with the state `auth.setup.ts` saved. */
export const test = base.extend({
  storageState: async ({}, use, testInfo) => {
    await use(authFile(testInfo));
  },
});

/** Unique per call, so reruns and retries against the same tenant never trip over old data. */
export const unique = (label: string): string => `${label} ${randomUUID().slice(0, 8)}`;
