import express from 'express';
import type { DemoStore, Note } from './store.ts';
import type { FaultSwitch } from './faults.ts';
import { signedInOf } from './session.ts';
import { alert, escapeHtml, page } from './html.ts';

export interface NotesDeps {
  store: DemoStore;
  faults: FaultSwitch;
}

const TITLE_MAX = 200;
const BODY_MAX = 20_000;

const field = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function noteArticle(note: Note): string {
  const titleId = `note-${escapeHtml(note.id)}-title`;
  const title = escapeHtml(note.title);
  return `<article aria-labelledby="${titleId}">
    <h2 id="${titleId}">${title}</h2>
    <p>${escapeHtml(note.body).replaceAll('\n', '<br>')}</p>
    <div class="row">
      <a href="/notes/${escapeHtml(note.id)}/edit" aria-label="Edit ${title}">Edit</a>
      <form method="post" action="/notes/${escapeHtml(note.id)}/delete">
        <button type="submit" class="danger" aria-label="Delete ${title}">Delete</button>
      </form>
    </div></article>`;
}

function validate(title: string, body: string): string | null {
  if (!title) return 'Title is required';
  if (title.length > TITLE_MAX) return `Title must be at most ${TITLE_MAX} characters`;
  if (body.length > BODY_MAX) return `Body must be at most ${BODY_MAX} characters`;
  return null;
}

export function createNotesRouter({ store, faults }: NotesDeps): express.Router {
  const router = express.Router();

  const notesPage = (email: string, notes: Note[], opts: { q?: string; error?: string } = {}) => {
    const searching = opts.q !== undefined;
    const list = notes.length ? notes.map(noteArticle).join('\n') : `<p class="muted">${searching ? 'No notes match.' : 'No notes yet.'}</p>`;
    return page({
      title: 'Notes',
      user: email,
      body: `<h1>Notes</h1>${opts.error ? alert(opts.error) : ''}
        <section><form method="get" action="/notes" role="search" class="row">
          <label for="q" class="visually-hidden">Search notes</label>
          <input id="q" name="q" type="search" value="${escapeHtml(opts.q ?? '')}">
          <button type="submit">Search</button>
        </form></section>
        <section aria-labelledby="new-note"><h2 id="new-note">New note</h2>
        <form method="post" action="/notes">
          <label for="title">Title</label><input id="title" name="title" type="text" required maxlength="${TITLE_MAX}">
          <label for="body">Body</label><textarea id="body" name="body"></textarea>
          <button type="submit">Add note</button>
        </form></section>
        <section aria-labelledby="list-heading">
          <h2 id="list-heading">${searching ? `Search results for “${escapeHtml(opts.q ?? '')}”` : 'All notes'}</h2>
          ${searching ? `<p>${notes.length} matching ${notes.length === 1 ? 'note' : 'notes'}</p>` : ''}
          ${list}
        </section>`,
    });
  };

  router.get('/notes', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!q) {
      res.type('html').send(notesPage(user.email, store.notes.list(tenant.id)));
      return;
    }
    if (faults.searchFails(tenant.id)) {
      res
        .status(500)
        .type('html')
        .send(page({ title: 'Search failed', user: user.email, body: `<h1>Search failed</h1>${alert('Search is unavailable right now (500).')}` }));
      return;
    }
    const needle = q.toLowerCase();
    const matches = store.notes.list(tenant.id).filter((n) => n.title.toLowerCase().includes(needle) || n.body.toLowerCase().includes(needle));
    res.type('html').send(notesPage(user.email, matches, { q }));
  });

  /** The submitted note, or undefined after answering 400 with the form's error. */
  const readNote = (req: express.Request, res: express.Response) => {
    const { user, tenant } = signedInOf(res);
    const title = field(req.body?.title);
    const body = field(req.body?.body);
    const error = validate(title, body);
    if (!error) return { title, body };
    res
      .status(400)
      .type('html')
      .send(notesPage(user.email, store.notes.list(tenant.id), { error }));
    return undefined;
  };

  router.post('/notes', (req, res) => {
    const { tenant } = signedInOf(res);
    const note = readNote(req, res);
    if (!note) return;
    store.notes.create(tenant.id, note.title, note.body);
    res.redirect(303, '/notes');
  });

  router.get('/notes/:id/edit', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const note = store.notes.get(tenant.id, req.params.id);
    if (!note) {
      res
        .status(404)
        .type('html')
        .send(page({ title: 'Not found', user: user.email, body: '<h1>Note not found</h1>' }));
      return;
    }
    res.type('html').send(
      page({
        title: `Edit ${note.title}`,
        user: user.email,
        body: `<section><h1>Edit note</h1>
          <form method="post" action="/notes/${escapeHtml(note.id)}">
            <label for="title">Title</label><input id="title" name="title" type="text" required maxlength="${TITLE_MAX}" value="${escapeHtml(note.title)}">
            <label for="body">Body</label><textarea id="body" name="body">${escapeHtml(note.body)}</textarea>
            <button type="submit">Save note</button>
          </form><p><a href="/notes">Cancel</a></p></section>`,
      }),
    );
  });

  router.post('/notes/:id', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const note = readNote(req, res);
    if (!note) return;
    if (!store.notes.update(tenant.id, req.params.id, note.title, note.body)) {
      res
        .status(404)
        .type('html')
        .send(page({ title: 'Not found', user: user.email, body: '<h1>Note not found</h1>' }));
      return;
    }
    res.redirect(303, '/notes');
  });

  router.post('/notes/:id/delete', (req, res) => {
    const { user, tenant } = signedInOf(res);
    if (!store.notes.delete(tenant.id, req.params.id)) {
      res
        .status(404)
        .type('html')
        .send(page({ title: 'Not found', user: user.email, body: '<h1>Note not found</h1>' }));
      return;
    }
    res.redirect(303, '/notes');
  });

  return router;
}
