// Small server-rendered SVG charts for the suite page: no script, no framework, every value escaped
// by the `html` template. Fixed viewBox sizes scale with the page width (width 100%).
import { html, type Html } from './html.ts';

export interface Bar {
  value: number;
  /** CSS class for the fill (passed, flaky, failed, error). */
  kind: string;
  href?: string;
  title: string;
}

const W = 720;
const PAD = { left: 48, right: 12, top: 12, bottom: 24 };

/** A rounded upper bound with 4 ticks: 0, ¼, ½, ¾, max. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  // Multiples whose quarters are short numbers (no 6.3 s ticks).
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

const fmt = (v: number, unit: string) => `${Number.isInteger(v) ? v : Number(v.toFixed(2))}${unit}`;

function axis(max: number, height: number, unit: string): Html {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`${ticks.map((t) => {
    const y = PAD.top + (1 - t) * (height - PAD.top - PAD.bottom);
    return html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"></line><text class="tick" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${fmt(max * t, unit)}</text>`;
  })}`;
}

/** Bars oldest left; each links to its run. */
export function barChart(bars: readonly Bar[], opts: { label: string; unit: string; height?: number }): Html {
  const height = opts.height ?? 180;
  if (bars.length === 0) return html`<p class="muted">No runs yet.</p>`;
  const max = niceMax(Math.max(...bars.map((b) => b.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const barW = Math.max(2, Math.min(24, slot * 0.7));
  return html`<svg class="chart" role="img" aria-label="${opts.label}" viewBox="0 0 ${W} ${height}" preserveAspectRatio="xMinYMin meet">
<title>${opts.label}</title>${axis(max, height, opts.unit)}
${bars.map((b, i) => {
  const h = Math.max(1, (b.value / max) * plotH);
  const x = PAD.left + i * slot + (slot - barW) / 2;
  const rect = html`<rect class="bar ${b.kind}" x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${b.title}</title></rect>`;
  return b.href ? html`<a href="${b.href}">${rect}</a>` : rect;
})}
<text class="tick" x="${PAD.left}" y="${height - 6}">oldest</text><text class="tick" x="${W - PAD.right}" y="${height - 6}" text-anchor="end">newest</text>
</svg>`;
}

export interface Line {
  name: string;
  /** One value per x slot; undefined where the series has no point (the test did not run). */
  values: ReadonlyArray<number | undefined>;
}

// Distinguishable on white and for the common colour blindnesses (Okabe–Ito).
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Lines over shared x slots (runs, oldest left), with a legend below. */
export function lineChart(lines: readonly Line[], opts: { label: string; unit: string; slots: number; height?: number }): Html {
  const height = opts.height ?? 200;
  if (lines.length === 0 || opts.slots === 0) return html`<p class="muted">No per-test results recorded yet.</p>`;
  const max = niceMax(Math.max(...lines.flatMap((l) => l.values.filter((v): v is number => v !== undefined))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (opts.slots === 1 ? plotW / 2 : (i / (opts.slots - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const legendRows = Math.ceil(lines.length / 2);
  const total = height + legendRows * 18 + 6;
  return html`<svg class="chart" role="img" aria-label="${opts.label}" viewBox="0 0 ${W} ${total}" preserveAspectRatio="xMinYMin meet">
<title>${opts.label}</title>${axis(max, height, opts.unit)}
${lines.map((l, n) => {
  const color = PALETTE[n % PALETTE.length];
  // A gap where the test did not run: separate path segments.
  const segments: string[] = [];
  let current = '';
  l.values.forEach((v, i) => {
    if (v === undefined) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  const points = l.values.map((v, i) =>
    v === undefined
      ? ''
      : html`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${color}"><title>${l.name}: ${fmt(v, opts.unit)}</title></circle>`,
  );
  const lx = PAD.left + (n % 2) * (plotW / 2);
  const ly = height + 6 + Math.floor(n / 2) * 18;
  return html`<path class="series" d="${segments.join(' ')}" stroke="${color}"></path>${points}
<rect x="${lx}" y="${ly + 3}" width="12" height="4" fill="${color}"></rect><text class="legend-text" x="${lx + 18}" y="${ly + 9}">${truncate(l.name, 44)}</text>`;
})}
</svg>`;
}

/** Percentages as horizontal bars with their value, one row per label (pass rate, availability). */
export function rateBars(rows: ReadonlyArray<{ label: string; rate: number | undefined; detail: string }>, opts: { label: string }): Html {
  const rowH = 26;
  const labelW = 170;
  const barMax = W - labelW - 150;
  const height = rows.length * rowH + 8;
  return html`<svg class="chart" role="img" aria-label="${opts.label}" viewBox="0 0 ${W} ${height}" preserveAspectRatio="xMinYMin meet">
<title>${opts.label}</title>
${rows.map((r, i) => {
  const y = 4 + i * rowH;
  const wBar = r.rate === undefined ? 0 : Math.max(1, r.rate * barMax);
  const kind = r.rate === undefined ? 'none' : r.rate >= 0.99 ? 'passed' : r.rate >= 0.9 ? 'flaky' : 'failed';
  return html`<text class="legend-text" x="0" y="${y + 16}">${r.label}</text>
<rect class="track" x="${labelW}" y="${y + 4}" width="${barMax}" height="16"></rect><rect class="bar ${kind}" x="${labelW}" y="${y + 4}" width="${wBar.toFixed(1)}" height="16"></rect>
<text class="legend-text" x="${labelW + barMax + 8}" y="${y + 16}">${r.rate === undefined ? '—' : `${(r.rate * 100).toFixed(r.rate === 1 ? 0 : 1)}%`} <tspan class="tick">${r.detail}</tspan></text>`;
})}
</svg>`;
}

const truncate = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
