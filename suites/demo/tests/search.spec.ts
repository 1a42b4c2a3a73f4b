import { expect, test, unique } from './fixtures.ts';

test.describe('search', () => {
  test('finds the one note that matches', async ({ page }) => {
    const apples = unique('Apples');
    const pears = unique('Pears');
    await page.goto('/notes');
    for (const [title, body] of [[apples, 'crisp and red'], [pears, 'soft and green']]) {
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Body').fill(body);
      await page.getByRole('button', { name: 'Add note' }).click();
      await expect(page.getByRole('article', { name: title, exact: true })).toBeVisible();
    }

    await page.getByRole('searchbox', { name: 'Search notes' }).fill(apples.toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { name: /^Search results for/ }), 'search should answer with results').toBeVisible();
    await expect(page.getByText('1 matching note')).toBeVisible();
    await expect(page.getByRole('article', { name: apples, exact: true })).toBeVisible();
    await expect(page.getByRole('article', { name: pears, exact: true })).toHaveCount(0);
  });
});
