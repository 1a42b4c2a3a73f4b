import type { SuiteRow } from '../suite-overview.ts';
import { ago, html, page, statusBadge } from './html.ts';

/** `/suites/:suite/:environment`: its runs, and the trigger form when triggering is enabled. */
export function suitePage(row: SuiteRow, opts: { canTrigger: boolean }): string {
  const body = html`<h1>${row.suite} on ${row.environment}</h1>
<dl><dt>Schedule</dt><dd><code>${row.schedule ?? 'none (on demand only)'}</code></dd>
<dt>Next</dt><dd>${row.nextRun ? html`${row.nextRun} (${ago(row.nextRun)})` : '—'}</dd>
<dt>Last success</dt><dd>${row.lastSuccessAt ? html`${row.lastSuccessAt} (${ago(row.lastSuccessAt)})` : '—'}</dd>
<dt>Now</dt><dd>${row.running ? html`<a href="/runs/${row.running.runId}">running</a>` : row.queued ? html`<a href="/runs/${row.queued.runId}">queued</a>` : 'idle'}</dd></dl>
${opts.canTrigger ? html`<h2>Run now</h2>
<form class="trigger" method="post" action="/ui/trigger">
<input type="hidden" name="suite" value="${row.suite}"><input type="hidden" name="environment" value="${row.environment}">
<label>API token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Run ${row.suite} now</button></form>` : html`<p class="muted">Triggering from here is disabled: set <code>api.token</code> to enable it.</p>`}
<h2>Runs</h2>
${row.history?.length ? html`<table><thead><tr><th>Status</th><th>Finished</th><th>Trigger</th><th>Tests</th><th>Run</th></tr></thead><tbody>
${row.history.map((h) => html`<tr><td>${statusBadge(h.status)}${h.errorPhase ? html` <span class="muted">${h.errorPhase}</span>` : ''}</td><td>${h.finishedAt} <span class="muted">(${ago(h.finishedAt)})</span></td><td>${h.trigger}</td><td>${h.tests.passed}/${h.tests.total} passed${h.tests.failed ? `, ${h.tests.failed} failed` : ''}</td><td><a href="/runs/${h.runId}"><code>${h.runId}</code></a></td></tr>`)}
</tbody></table>` : html`<p class="muted">No runs yet.</p>`}`;
  return page(`${row.suite}@${row.environment}`, body);
}

/** Any UI error: what went wrong and a way back. */
export function messagePage(title: string, message: string, back = '/'): string {
  return page(title, html`<h1>${title}</h1><div class="error-box">${message}</div><p><a href="${back}">Back</a></p>`);
}
