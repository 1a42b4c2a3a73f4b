// Server-rendered pages: every interpolated value goes through `html` tagged templates, which escape
// it unless it is itself a rendered fragment. No scripts, no frameworks; one small stylesheet.
import { describeBuild } from '../../shared/build-info.ts';

const RAW = Symbol('raw-html');
export interface Html {
  readonly [RAW]: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

type Value = Html | string | number | boolean | null | undefined | Value[];

const render = (v: Value): string => {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (typeof v === 'object') return v[RAW];
  return escapeHtml(String(v));
};

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return { [RAW]: out };
}

export const htmlText = (h: Html) => h[RAW];

const CSS = `
:root { --ok:#2e7d32; --warn:#f9a825; --crit:#c62828; --unk:#6a1b9a; --mute:#6b7280; --line:#e5e7eb; --bg:#fafafa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: var(--bg); }
header { background: #111827; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header .sub { color: #9ca3af; font-size: 12px; }
main { padding: 20px 24px; max-width: 1200px; }
footer { padding: 12px 24px 20px; color: var(--mute); font-size: 12px; }
h1 { font-size: 20px; margin: 0 0 12px; } h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #374151; background: #f3f4f6; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
a { color: #1d4ed8; }
.cells { display: flex; gap: 2px; }
.cell { display: inline-block; width: 14px; height: 22px; border-radius: 2px; }
.passed { background: var(--ok); } .flaky { background: var(--warn); } .failed { background: var(--crit); } .error { background: var(--unk); }
.none { background: var(--line); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; }
.badge.queued, .badge.running { background: #2563eb; }
.muted, .project { color: var(--mute); }
pre { background: #111827; color: #f9fafb; padding: 10px 12px; border-radius: 4px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
.failure { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--crit); padding: 8px 12px; margin: 8px 0; }
.failure .title { font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--mute); }
form.trigger { background: #fff; border: 1px solid var(--line); padding: 10px 12px; display: inline-flex; gap: 8px; align-items: center; }
input, button { font: inherit; padding: 4px 8px; }
button { background: #111827; color: #fff; border: 0; border-radius: 3px; cursor: pointer; }
.legend span { margin-right: 12px; } .legend .cell { vertical-align: middle; height: 12px; width: 12px; margin-right: 4px; }
.error-box { background: #fef2f2; border: 1px solid #fecaca; padding: 8px 12px; }
.pause-box { background: #eff6ff; border: 1px solid #bfdbfe; padding: 8px 12px; margin-bottom: 12px; }
.badge.paused { background: #64748b; } .badge.passed, .badge.flaky, .badge.failed, .badge.error, .badge.skipped { color: #fff; }
.badge.skipped { background: var(--mute); }
.panel { background: #fff; border: 1px solid var(--line); padding: 10px 12px; max-width: 760px; }
svg.chart { width: 100%; height: auto; display: block; font: 11px system-ui, sans-serif; }
svg.chart .grid { stroke: var(--line); } svg.chart .tick { fill: var(--mute); font-size: 11px; }
svg.chart .legend-text { fill: #111827; font-size: 12px; } svg.chart .track { fill: #f3f4f6; }
svg.chart .bar.passed { fill: var(--ok); } svg.chart .bar.flaky { fill: var(--warn); } svg.chart .bar.failed { fill: var(--crit); } svg.chart .bar.error { fill: var(--unk); } svg.chart .bar.none { fill: var(--line); }
svg.chart .series { fill: none; stroke-width: 2; }
ul.model, ul.model ul { list-style: none; padding-left: 18px; } ul.model li { margin: 3px 0; } ul.model .why { color: var(--crit); } ul.model .mark { display: inline-block; width: 1em; }
table.tests td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre.snippet { background: #1f2937; }
.shots { display: flex; flex-wrap: wrap; gap: 12px; } .shots figure { margin: 0; background: #fff; border: 1px solid var(--line); padding: 6px; max-width: 360px; }
.shots img { max-width: 100%; height: auto; display: block; } .shots figcaption { font-size: 12px; color: var(--mute); word-break: break-all; }
`;

export function page(title: string, body: Html, opts: { refreshSeconds?: number } = {}): string {
  return htmlText(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${title} · Vigil</title><style>${rawCss}</style></head>
<body><header><a href="/">Vigil</a><a href="/model">Model</a><a href="/scenarios">Scenarios</a><span class="sub">synthetic monitoring with your own Playwright suites</span></header>
<main>${body}</main><footer>Vigil ${describeBuild()}</footer></body></html>`);
}

export function statusBadge(status: string): Html {
  return html`<span class="badge ${status}">${status}</span>`;
}

/** "3 min ago" style, for a person scanning the grid. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const text = a < 60 ? `${a}s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86_400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

const rawCss: Html = { [RAW]: CSS };
