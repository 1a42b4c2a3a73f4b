import type { SuiteRow } from '../suite-overview.ts';
import { ago, html, page, statusBadge } from './html.ts';

export const HISTORY_CELLS = 30;

/** `/`: every suite × environment with its last results, oldest left, as colored cells. */
export function homePage(rows: SuiteRow[], info: { concurrency: number; queued: number; running: number }): string {
  const body = html`<h1>Suites</h1>
<p class="muted">${info.running} running, ${info.queued} queued, up to ${info.concurrency} at once. Page refreshes every 30 s.</p>
<p class="legend"><span><i class="cell passed"></i>passed</span><span><i class="cell flaky"></i>flaky</span><span><i class="cell failed"></i>failed</span><span><i class="cell error"></i>error (not tested)</span></p>
${
  rows.length === 0
    ? html`<p>No suite is scheduled on this replica's shard.</p>`
    : html`<table>
<thead><tr><th>Suite</th><th>Environment</th><th>Last ${HISTORY_CELLS} runs</th><th>Last</th><th>Schedule</th><th>Next</th><th>Now</th></tr></thead>
<tbody>${rows.map((r) => {
        const history = [...(r.history ?? [])].reverse();
        const pad = Array.from({ length: Math.max(0, HISTORY_CELLS - history.length) }, () => html`<i class="cell none"></i>`);
        return html`<tr>
<td><a href="/suites/${r.suite}/${r.environment}">${r.suite}</a></td><td>${r.environment}</td>
<td><div class="cells">${pad}${history.map((h) => html`<a class="cell ${h.status}" href="/runs/${h.runId}" title="${h.status} · ${h.finishedAt}"></a>`)}</div></td>
<td>${r.locations ? html`${statusBadge(r.locations.status)} <span class="muted">${r.locations.sentence}</span>` : r.last ? html`${statusBadge(r.last.status)} <a href="/runs/${r.last.runId}">${ago(r.last.finishedAt)}</a>` : html`<span class="muted">never ran</span>`}</td>
<td><code>${r.schedule ?? '—'}</code>${r.here ? '' : html` <span class="muted">from ${r.locations?.views.map((v) => v.location).join(', ')}</span>`}</td><td>${r.nextRun ? html`<span title="${r.nextRun}">${ago(r.nextRun)}</span>` : '—'}</td>
<td>${r.running ? html`<a class="badge running" href="/runs/${r.running.runId}">running</a>` : ''}${r.queued ? html`<a class="badge queued" href="/runs/${r.queued.runId}">queued</a>` : ''}</td>
</tr>`;
      })}</tbody></table>`
}`;
  return page('Suites', body, { refreshSeconds: 30 });
}
