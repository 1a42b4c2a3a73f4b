import { expect, test } from './fixtures.ts';

// Charges a card: tagged so production runs can leave it out (`--grep-invert @payments`).
test.describe('billing', () => {
  test('upgrades plan by card', { tag: '@payments' }, async ({ page }) => {
    await page.goto('/billing');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
    await expect(page.getByRole('status'), 'the payment should be accepted').toHaveText('Payment accepted');
    await expect(page.getByText('Current plan: Pro')).toBeVisible();
  });
});
