import type { ResultBrief, SuiteRow } from '../suite-overview.ts';
import type { RateRow, TestSeries } from '../suite-stats.ts';
import type { PauseState } from '../../scheduler/pauses.ts';
import { ago, html, page, statusBadge } from './html.ts';
import { barChart, lineChart, rateBars } from './svg-chart.ts';

export interface SuitePageData {
  rates: RateRow[];
  tests: { runs: string[]; series: TestSeries[] };
  pause?: PauseState;
}

const durationOf = (h: ResultBrief) => Math.max(0, (Date.parse(h.finishedAt) - Date.parse(h.startedAt)) / 1000);

/** `/suites/:suite/:environment`: its pictures, its runs, and the trigger form when triggering is enabled. */
export function suitePage(row: SuiteRow, opts: { canTrigger: boolean }, data: SuitePageData = { rates: [], tests: { runs: [], series: [] } }): string {
  const history = [...(row.history ?? [])].reverse();
  const counted = (r: RateRow) => `${r.counts.passed + r.counts.flaky + r.counts.failed} tested${r.counts.error ? `, ${r.counts.error} not (error)` : ''}`;
  const body = html`<h1>${row.suite} on ${row.environment}${data.pause ? html` <span class="badge paused">paused</span>` : ''}</h1>
${data.pause ? html`<div class="pause-box">Paused until <strong>${data.pause.until}</strong> (${ago(data.pause.until)}): ${data.pause.reason}. Scheduled runs are skipped; exports say “paused”.${data.pause.source === 'window' ? ' A maintenance window in the config.' : ''}</div>` : ''}
<dl><dt>Schedule</dt><dd><code>${row.schedule ?? 'none (on demand only)'}</code></dd>
<dt>Next</dt><dd>${row.nextRun ? html`${row.nextRun} (${ago(row.nextRun)})` : '—'}</dd>
<dt>Last success</dt><dd>${row.lastSuccessAt ? html`${row.lastSuccessAt} (${ago(row.lastSuccessAt)})` : '—'}</dd>
<dt>Now</dt><dd>${row.running ? html`<a href="/runs/${row.running.runId}">running</a>` : row.queued ? html`<a href="/runs/${row.queued.runId}">queued</a>` : 'idle'}</dd></dl>
${
  row.locations
    ? html`<h2>Locations ${statusBadge(row.locations.status)}</h2>
<p>${row.locations.sentence}. <span class="muted">CRITICAL once ${row.locations.minFailed} location${row.locations.minFailed === 1 ? '' : 's'} fail; a location without a recent answer makes it UNKNOWN only where its answer could change the state.${row.here ? '' : ' This replica does not run it: replicas in these locations do.'}</span></p>
<table id="locations"><thead><tr><th>Location</th><th>Answer</th><th>Last run</th></tr></thead><tbody>
${row.locations.views.map((v) => html`<tr><td>${v.location}</td><td>${statusBadge(v.answer === 'unknown' ? 'error' : v.answer)}${v.why ? html` <span class="muted">${v.why}</span>` : ''}</td><td>${v.last ? html`<a href="/runs/${v.last.runId}">${v.last.finishedAt}</a> <span class="muted">(${ago(v.last.finishedAt)})</span>` : '—'}</td></tr>`)}
</tbody></table>`
    : ''
}
<h2>Availability and pass rate</h2>
<div class="panel" id="rates">${rateBars(
    data.rates.flatMap((r) => [
      { label: `availability ${r.window}`, rate: r.availability, detail: counted(r) },
      { label: `pass rate ${r.window}`, rate: r.passRate, detail: '' },
    ]),
    { label: 'Availability and pass rate over 24 hours, 7 days and 30 days' },
  )}
<p class="muted">Availability: runs where the application worked (passed or flaky) among runs that tested it. Pass rate: runs where every test passed the first time. Runs that could not test (error) count for neither.</p></div>
<h2>Duration of the last ${history.length} runs</h2>
<div class="panel" id="durations">${barChart(
    history.map((h) => ({
      value: durationOf(h),
      kind: h.status,
      href: `/runs/${h.runId}`,
      title: `${h.status} · ${durationOf(h).toFixed(1)} s · ${h.finishedAt}`,
    })),
    { label: 'Run duration in seconds, oldest left', unit: 's' },
  )}
<p class="legend"><span><i class="cell passed"></i>passed</span><span><i class="cell flaky"></i>flaky</span><span><i class="cell failed"></i>failed</span><span><i class="cell error"></i>error</span></p></div>
<h2>Test durations over the last ${data.tests.runs.length} runs</h2>
<div class="panel" id="test-durations">${lineChart(data.tests.series, { label: 'Duration of each test in seconds, per run, oldest left', unit: 's', slots: data.tests.runs.length })}
${data.tests.series.length ? html`<p class="muted">The ${data.tests.series.length} slowest tests by their latest duration; a gap is a run where the test did not run.</p>` : ''}</div>
${
  opts.canTrigger
    ? html`<h2>Run now</h2>
<form class="trigger" method="post" action="/ui/trigger">
<input type="hidden" name="suite" value="${row.suite}"><input type="hidden" name="environment" value="${row.environment}">
<label>API token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Run ${row.suite} now</button></form>`
    : html`<p class="muted">Triggering from here is disabled: set <code>api.token</code> to enable it.</p>`
}
<h2>Runs</h2>
${
  row.history?.length
    ? html`<table><thead><tr><th>Status</th><th>Finished</th><th>Trigger</th>${row.locations ? html`<th>From</th>` : ''}<th>Tests</th><th>Duration</th><th>Run</th></tr></thead><tbody>
${row.history.map((h) => html`<tr><td>${statusBadge(h.status)}${h.errorPhase ? html` <span class="muted">${h.errorPhase}</span>` : ''}</td><td>${h.finishedAt} <span class="muted">(${ago(h.finishedAt)})</span></td><td>${h.trigger}</td>${row.locations ? html`<td>${h.location ?? '—'}</td>` : ''}<td>${h.tests.passed}/${h.tests.total} passed${h.tests.failed ? `, ${h.tests.failed} failed` : ''}</td><td>${durationOf(h).toFixed(1)} s</td><td><a href="/runs/${h.runId}"><code>${h.runId}</code></a></td></tr>`)}
</tbody></table>`
    : html`<p class="muted">No runs yet.</p>`
}`;
  return page(`${row.suite}@${row.environment}`, body);
}

/** Any UI error: what went wrong and a way back. */
export function messagePage(title: string, message: string, back = '/'): string {
  return page(title, html`<h1>${title}</h1><div class="error-box">${message}</div><p><a href="${back}">Back</a></p>`);
}
