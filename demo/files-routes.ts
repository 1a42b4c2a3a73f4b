import express from 'express';
import type { DemoStore, StoredFileInfo } from './store.ts';
import type { FaultSwitch } from './faults.ts';
import { signedInOf } from './session.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { alert, escapeHtml, page, status } from './html.ts';

export interface FilesDeps {
  store: DemoStore;
  faults: FaultSwitch;
}

export const UPLOAD_LIMIT_BYTES = 1024 * 1024;

const formatSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;

// Keep only what is safe in a Content-Disposition header and a listing.
const safeFileName = (name: string) => name.replace(/[\\/\r\n"]/g, '_').slice(0, 200) || 'upload';

function filesPage(email: string, files: StoredFileInfo[], message?: { error?: string; ok?: string }): string {
  const rows = files
    .map((f) => {
      const name = escapeHtml(f.name);
      return `<tr><td>${name}</td><td>${escapeHtml(formatSize(f.size))}</td>
        <td><a href="/files/${escapeHtml(f.id)}" aria-label="Download ${name}">Download</a></td></tr>`;
    })
    .join('\n');
  return page({
    title: 'Files',
    user: email,
    body: `<h1>Files</h1>${message?.error ? alert(message.error) : ''}${message?.ok ? status(message.ok) : ''}
      <section><form method="post" action="/files" enctype="multipart/form-data">
        <label for="file">File</label><input id="file" name="file" type="file" required>
        <button type="submit">Upload</button>
      </form><p class="muted">Up to ${formatSize(UPLOAD_LIMIT_BYTES)}.</p></section>
      <section aria-labelledby="files-heading"><h2 id="files-heading">Uploaded files</h2>
      ${files.length ? `<table><thead><tr><th>Name</th><th>Size</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted">No files yet.</p>'}
      </section>`,
  });
}

export function createFilesRouter({ store, faults }: FilesDeps): express.Router {
  const router = express.Router();

  router.get('/files', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const uploaded = typeof req.query.uploaded === 'string' ? req.query.uploaded : undefined;
    res.type('html').send(filesPage(user.email, store.files.list(tenant.id), uploaded ? { ok: `Uploaded ${uploaded}` } : undefined));
  });

  router.post('/files', express.raw({ type: 'multipart/form-data', limit: UPLOAD_LIMIT_BYTES }), (req, res) => {
    const { user, tenant } = signedInOf(res);
    const fail = (code: number, error: string) =>
      res
        .status(code)
        .type('html')
        .send(filesPage(user.email, store.files.list(tenant.id), { error }));
    if (faults.get().uploads) {
      fail(500, 'Upload failed: the file could not be stored (500).');
      return;
    }
    const boundary = boundaryOf(req.get('content-type'));
    const parts = boundary && Buffer.isBuffer(req.body) ? parseMultipart(req.body, boundary) : null;
    const file = parts?.find((p) => p.name === 'file' && p.filename !== undefined);
    if (!file?.filename) {
      fail(400, 'Choose a file to upload.');
      return;
    }
    const name = safeFileName(file.filename);
    store.files.create(tenant.id, { name, contentType: file.contentType, data: Buffer.from(file.data) });
    res.redirect(303, `/files?uploaded=${encodeURIComponent(name)}`);
  });

  router.get('/files/:id', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const file = store.files.get(tenant.id, req.params.id);
    if (!file) {
      res
        .status(404)
        .type('html')
        .send(page({ title: 'Not found', user: user.email, body: '<h1>File not found</h1>' }));
      return;
    }
    // Served as a download, never inline: an uploaded HTML file must not run in the app's origin.
    res.attachment(file.name);
    res.type('application/octet-stream');
    res.set('X-Content-Type-Options', 'nosniff');
    res.send(file.data);
  });

  return router;
}
