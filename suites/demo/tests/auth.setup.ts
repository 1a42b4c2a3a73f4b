import { expect, test as setup } from '@playwright/test';
import { authFile, tenantCredentials } from './tenant.ts';

setup('signs in as the tenant owner', async ({ page }, testInfo) => {
  const { email, password } = tenantCredentials();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Notes', level: 1 }), 'signing in should lead to the notes page').toBeVisible();
  await page.context().storageState({ path: authFile(testInfo) });
});
