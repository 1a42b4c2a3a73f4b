import { expect, test } from './fixtures.ts';
import { tenantCredentials } from './tenant.ts';

test.describe('login', () => {
  test('lands a signed-in owner on their notes', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/notes$/);
    await expect(page.getByRole('heading', { name: 'Notes', level: 1 })).toBeVisible();
  });

  test.describe(() => {
    test.use({ storageState: { cookies: [], origins: [] } });

    test('rejects a wrong password', async ({ page }) => {
      const { email } = tenantCredentials();
      await page.goto('/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
      await expect(page).toHaveURL(/\/login$/);
    });
  });
});
