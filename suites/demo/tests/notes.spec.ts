import { expect, test, unique } from './fixtures.ts';

test.describe('notes', () => {
  test('creates, edits and deletes a note', async ({ page }) => {
    const title = unique('Groceries');
    const edited = `${title} (edited)`;
    await page.goto('/notes');

    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Body').fill('milk, eggs');
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.getByRole('article', { name: title, exact: true });
    await expect(note, 'the new note should be listed').toContainText('milk, eggs');

    await note.getByRole('link', { name: `Edit ${title}` }).click();
    await page.getByLabel('Title').fill(edited);
    await page.getByLabel('Body').fill('milk, eggs, bread');
    await page.getByRole('button', { name: 'Save note' }).click();
    const editedNote = page.getByRole('article', { name: edited, exact: true });
    await expect(editedNote, 'the edited note should be listed').toContainText('bread');
    await expect(note).toHaveCount(0);

    await editedNote.getByRole('button', { name: `Delete ${edited}` }).click();
    await expect(page.getByRole('heading', { name: 'Notes', level: 1 })).toBeVisible();
    await expect(editedNote, 'the deleted note should be gone').toHaveCount(0);
  });
});
