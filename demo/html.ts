// Server-rendered pages: every interpolated value goes through `escapeHtml`, so tenant data can
// never inject markup into another page.

export const escapeHtml = (value: string | number): string => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
  :root { font-family: system-ui, sans-serif; color: #1d2430; background: #f4f6f9; }
  body { margin: 0; }
  header { background: #23395d; color: #fff; padding: .75rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; }
  header a, header button { color: #fff; }
  header .brand { font-weight: 700; margin-right: auto; }
  header form { margin: 0; }
  header button { background: none; border: 1px solid #fff6; border-radius: 4px; padding: .25rem .6rem; cursor: pointer; }
  main { max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; }
  section, article, .card { background: #fff; border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; box-shadow: 0 1px 2px #0002; }
  label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
  input[type=text], input[type=email], input[type=password], input[type=search], textarea { width: 100%; box-sizing: border-box; padding: .45rem; border: 1px solid #b8c0cc; border-radius: 4px; font: inherit; }
  textarea { min-height: 4rem; }
  button { background: #2f6fde; color: #fff; border: 0; border-radius: 4px; padding: .45rem .9rem; margin-top: .6rem; font: inherit; cursor: pointer; }
  button.danger { background: #c0392b; }
  .row { display: flex; gap: .5rem; align-items: center; }
  .row button { margin-top: 0; }
  [role=alert] { background: #fde8e6; border-left: 4px solid #c0392b; padding: .6rem 1rem; margin-bottom: 1rem; }
  [role=status] { background: #e5f6ea; border-left: 4px solid #2e9e55; padding: .6rem 1rem; margin-bottom: 1rem; }
  table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: .35rem; border-bottom: 1px solid #e3e7ee; }
  .muted { color: #5c6775; }
  header .muted { color: #c9d3e3; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  [role=search] input { flex: 1; }
`;

/**
 * The header's logo, fetched by the page (GET /logo.svg; the `logo` fault makes it answer 500) and put
 * inline: a request no test asserts, and nothing a trace snapshot would fetch again from the app.
 */
const LOGO_SCRIPT = `<script>fetch('/logo.svg').then((r) => (r.ok ? r.text() : '')).then((svg) => { document.querySelector('.logo').innerHTML = svg; }).catch(() => {});</script>`;

export const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><rect width="20" height="20" rx="4" fill="#2f6fde"/></svg>';

export interface PageOptions {
  title: string;
  /** Signed-in user's email; shows the app navigation. */
  user?: string;
  body: string;
}

export function page({ title, user, body }: PageOptions): string {
  const nav = user
    ? `<nav aria-label="Main" class="row"><a href="/notes">Notes</a><a href="/files">Files</a><a href="/billing">Billing</a></nav>
       <span class="muted">${escapeHtml(user)}</span>
       <form method="post" action="/logout"><button type="submit">Log out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Demo Notes</title><style>${STYLE}</style></head>
<body><header><span class="brand"><span class="logo"></span> Demo Notes</span>${nav}</header>
<main>${body}</main>${LOGO_SCRIPT}</body></html>`;
}

export const alert = (message: string): string => `<p role="alert">${escapeHtml(message)}</p>`;
export const status = (message: string): string => `<p role="status">${escapeHtml(message)}</p>`;
