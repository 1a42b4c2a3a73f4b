import type { ActiveRun } from '../../scheduler/scheduler.ts';
import type { RunResult } from '../../core/index.ts';
import { formatSeconds } from '../../shared/duration.ts';
import type { Artifact } from '../artifacts.ts';
import { TRACE_HINT } from '../artifacts.ts';
import { html, page, statusBadge } from './html.ts';

/** `/runs/:id` of a finished run: what happened, where it failed, what was kept. */
export function runPage(run: RunResult, artifacts: Artifact[], opts: { artifactsNeedToken?: boolean } = {}): string {
  const t = run.tests;
  const phases = [
    ['tenant setup', run.phases.tenant_setup],
    ['test', run.phases.test],
    ['teardown', run.phases.teardown],
  ] as const;
  const body = html`<h1>${run.suite} on ${run.environment} ${statusBadge(run.status)}</h1>
<dl>
<dt>Run</dt><dd><code>${run.runId}</code> · triggered by ${run.trigger}</dd>
<dt>Started</dt><dd>${run.startedAt}</dd><dt>Finished</dt><dd>${run.finishedAt}</dd>
<dt>Tests</dt><dd>${t.total} total: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped</dd>
${run.errorPhase ? html`<dt>Error</dt><dd><div class="error-box"><b>${run.errorPhase}</b>: ${run.errorMessage ?? ''}</div></dd>` : ''}
<dt>Tenant</dt><dd>${run.tenant ? html`<code>${run.tenant.name}</code> — ${run.tenant.state}${run.tenant.error ? html` <span class="muted">(${run.tenant.error})</span>` : ''}` : html`<span class="muted">none created</span>`}</dd>
</dl>
<h2>Phases</h2>
<table><thead><tr><th>Phase</th><th>Duration</th></tr></thead><tbody>${phases.map(([name, s]) => html`<tr><td>${name}</td><td>${formatSeconds(s)}</td></tr>`)}</tbody></table>
${run.failures.length ? html`<h2>Failing tests (${run.failures.length})</h2>${run.failures.map((f) => html`<div class="failure"><div class="title">${f.title}</div><div class="muted">${f.file}:${f.line}</div><pre>${f.error}</pre></div>`)}` : ''}
<h2>Artifacts</h2>
${artifacts.length ? html`<table><thead><tr><th>File</th><th>Kind</th><th>Size</th></tr></thead><tbody>${artifacts.map((a) => html`<tr><td><a href="${a.url}">${a.name}</a></td><td>${a.kind}</td><td>${Math.ceil(a.bytes / 1024)} KB</td></tr>`)}</tbody></table>
${opts.artifactsNeedToken ? html`<p class="muted">The files need a token: your browser asks for it (any user name, the value of <code>api.readToken</code> or <code>api.token</code> as password).</p>` : ''}
${artifacts.some((a) => a.kind === 'trace') ? html`<p class="muted">Traces: ${TRACE_HINT}.</p>` : ''}` : html`<p class="muted">None kept (artifacts are kept for failed runs only, and pruned by artifacts.keep / maxAge).</p>`}
<p><a href="/suites/${run.suite}/${run.environment}">All runs of ${run.suite} on ${run.environment}</a> · <a href="/api/runs/${run.runId}">JSON</a></p>`;
  return page(`${run.suite}@${run.environment} ${run.status}`, body);
}

/** `/runs/:id` of a run the scheduler still holds: refreshes until it has finished. */
export function activeRunPage(run: ActiveRun): string {
  const body = html`<h1>${run.suite} on ${run.environment} <span class="badge ${run.state}">${run.state}</span></h1>
<dl><dt>Run</dt><dd><code>${run.runId}</code> · triggered by ${run.trigger}</dd>
<dt>Queued</dt><dd>${run.queuedAt}</dd>${run.startedAt ? html`<dt>Started</dt><dd>${run.startedAt}</dd>` : ''}</dl>
<p class="muted">This page refreshes every 5 s until the run has finished.</p>`;
  return page(`${run.suite}@${run.environment} ${run.state}`, body, { refreshSeconds: 5 });
}
