import { expect, test, unique } from './fixtures.ts';

test.describe('files', () => {
  test('uploads a file, lists it and downloads the same bytes', async ({ page }) => {
    const name = `${unique('report').replace(' ', '-')}.txt`;
    const content = Buffer.from(`quarterly numbers for ${name}\n`);
    await page.goto('/files');

    await page.getByLabel('File', { exact: true }).setInputFiles({ name, mimeType: 'text/plain', buffer: content });
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByRole('status'), 'the upload should be confirmed').toHaveText(`Uploaded ${name}`);
    const row = page.getByRole('row', { name });
    await expect(row, 'the uploaded file should be listed with its size').toContainText(`${content.length} bytes`);

    const downloading = page.waitForEvent('download');
    await row.getByRole('link', { name: `Download ${name}` }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(name);
    // A stream rather than download.path(): the path exists only where the browser runs, and with a
    // shared browser (a remote one to Playwright) it does not (docs/running-playwright.md).
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(content);
  });
});
