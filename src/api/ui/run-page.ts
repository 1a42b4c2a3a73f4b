import type { ActiveRun } from '../../scheduler/scheduler.ts';
import type { RunResult, TestResult } from '../../core/index.ts';
import { formatSeconds } from '../../shared/duration.ts';
import type { Artifact } from '../artifacts.ts';
import { TRACE_HINT } from '../artifacts.ts';
import { traceViewerURL } from '../trace-viewer.ts';
import { html, page, statusBadge, type Html } from './html.ts';

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
<dt>Run</dt><dd><code>${run.runId}</code> · triggered by ${run.trigger}${run.location ? html` · from <b>${run.location}</b>` : ''}${run.replica ? html` <span class="muted">(replica ${run.replica})</span>` : ''}</dd>
<dt>Started</dt><dd>${run.startedAt}</dd><dt>Finished</dt><dd>${run.finishedAt}</dd>
<dt>Tests</dt><dd>${t.total} total: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped${run.playwrightVersion ? html` <span class="muted">· @playwright/test ${run.playwrightVersion}</span>` : ''}</dd>
${run.errorPhase ? html`<dt>Error</dt><dd><div class="error-box"><b>${run.errorPhase}</b>: ${run.errorMessage ?? ''}</div></dd>` : ''}
<dt>Tenant</dt><dd>${run.tenant ? html`<code>${run.tenant.name}</code> — ${run.tenant.state}${run.tenant.error ? html` <span class="muted">(${run.tenant.error})</span>` : ''}` : html`<span class="muted">none created</span>`}</dd>
</dl>
<h2>Phases</h2>
<table><thead><tr><th>Phase</th><th>Duration</th></tr></thead><tbody>${phases.map(([name, s]) => html`<tr><td>${name}</td><td>${formatSeconds(s)}</td></tr>`)}</tbody></table>
${errorChecksSection(run)}
${failuresSection(run)}
${testsSection(run)}
${evidenceSection(artifacts, opts.artifactsNeedToken ?? false)}
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

/** The error queries asked after the run (docs/configuration.md, "errorQueries"): each with its value and Prometheus link. */
function errorChecksSection(run: RunResult): Html {
  const checks = run.errorChecks ?? [];
  if (!checks.length) return html``;
  return html`<h2>Errors over the run (Prometheus)</h2>
<table class="error-checks"><thead><tr><th>Query</th><th>Value</th><th>Threshold</th><th>Window</th></tr></thead><tbody>
${checks.map(
  (c) =>
    html`<tr><td><b>${c.name}</b>${c.exceeded ? html` <span class="badge ${c.severity === 'critical' ? 'failed' : 'flaky'}">${c.severity}</span>` : ''}<div class="muted"><code>${c.query}</code></div>${c.error !== undefined ? html`<div class="error-box">could not be asked: ${c.error}</div>` : ''}</td><td class="num"><a href="${c.link}">${c.value ?? '—'}</a></td><td class="num">above ${c.above} (${c.severity})</td><td>${c.window} to ${c.at}</td></tr>`,
)}
</tbody></table>`;
}

// Failed first, then flaky: what a person paged needs is at the top.
const OUTCOME_ORDER: Record<TestResult['outcome'], number> = { failed: 0, flaky: 1, passed: 2, skipped: 3 };

function failuresSection(run: RunResult): Html {
  // A run recorded before per-test rows existed has only `failures` (no code frame).
  const failing = run.testResults?.filter((t) => t.outcome === 'failed') ?? run.failures.map((f) => ({ ...f, snippet: undefined, project: undefined }));
  if (!failing.length) return html``;
  return html`<h2>Failing tests (${failing.length})</h2>${failing.map(
    (f) =>
      html`<div class="failure"><div class="title">${f.title}${f.project ? html` <span class="project">[${f.project}]</span>` : ''}</div><div class="muted">${f.file}:${f.line}</div><pre>${f.error ?? ''}</pre>${f.snippet ? html`<pre class="snippet">${f.snippet}</pre>` : ''}</div>`,
  )}`;
}

function testsSection(run: RunResult): Html {
  const tests = run.testResults;
  if (!tests?.length) return html``;
  const sorted = [...tests].sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome]);
  return html`<h2>All tests (${tests.length})</h2>
<table class="tests"><thead><tr><th>Outcome</th><th>Test</th><th>Where</th><th>Duration</th><th>Retries</th></tr></thead><tbody>
${sorted.map((t) => html`<tr class="test outcome-${t.outcome}"><td>${statusBadge(t.outcome)}</td><td><span class="test-title">${t.title}</span>${t.project ? html` <span class="project">[${t.project}]</span>` : ''}${t.outcome === 'flaky' && t.error ? html`<div class="muted">failed first: ${t.error.split('\n')[0]}</div>` : ''}</td><td class="muted">${t.file}:${t.line}</td><td class="num">${formatSeconds(t.durationMs / 1000)}</td><td class="num">${t.retries}</td></tr>`)}
</tbody></table>`;
}

function evidenceSection(artifacts: Artifact[], needToken: boolean): Html {
  if (!artifacts.length)
    return html`<h2>Artifacts</h2><p class="muted">None kept (artifacts are kept for failed runs only, and pruned by artifacts.keep / maxAge).</p>`;
  const traces = artifacts.filter((a) => a.kind === 'trace');
  const shots = artifacts.filter((a) => a.kind === 'screenshot');
  const reports = artifacts.filter((a) => a.kind === 'report');
  const folder = (a: Artifact) => a.name.split('/').slice(0, -1).join('/') || a.name;
  return html`<h2>Evidence</h2>
${needToken ? html`<p class="muted">Traces, screenshots and reports need a token: your browser asks for it (any user name, the value of <code>api.readToken</code> or <code>api.token</code> as password).</p>` : ''}
${traces.length ? html`<h3>Traces</h3><ul class="traces">${traces.map((a) => html`<li><a class="open-trace" href="${traceViewerURL(a.url)}">Open trace: ${folder(a)}</a> <span class="muted">(<a href="${a.url}">download</a>, ${Math.ceil(a.bytes / 1024)} KB)</span></li>`)}</ul>` : ''}
${shots.length ? html`<h3>Screenshots</h3><div class="shots">${shots.map((a) => html`<figure><a href="${a.url}"><img src="${a.url}" alt="screenshot ${a.name}" loading="lazy"></a><figcaption>${a.name}</figcaption></figure>`)}</div>` : ''}
${reports.length ? html`<h3>HTML report</h3><ul>${reports.map((a) => html`<li><a href="${a.url}">${a.name}</a></li>`)}</ul>` : ''}
<h3>All files</h3>
<table><thead><tr><th>File</th><th>Kind</th><th>Size</th></tr></thead><tbody>${artifacts.map((a) => html`<tr><td><a href="${a.url}">${a.name}</a></td><td>${a.kind}</td><td>${Math.ceil(a.bytes / 1024)} KB</td></tr>`)}</tbody></table>
${traces.length ? html`<p class="muted">Traces open in the trace viewer served by this Vigil (no internet needed). Or: ${TRACE_HINT}.</p>` : ''}`;
}
