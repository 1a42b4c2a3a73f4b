// Scenario runs (`vigil scenario run`, stored in the store) as pages: the list with each run's status and
// its Thens' time to detect, and one run with every step, what stood in the way, and its cleanup.
import type { ScenarioResult, StepResult } from '../../scenarios/types.ts';
import type { ScenarioRunRecord } from '../../store/types.ts';
import { ago, html, page, statusBadge, type Html } from './html.ts';
import type { ScheduledScenarioView } from '../scenario-control.ts';
import { scheduleTable } from './schedule-page.ts';

const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);
const detectTimes = (r: ScenarioResult) =>
  r.steps
    .filter((s) => s.timeToDetectMs !== undefined)
    .map((s) => seconds(s.timeToDetectMs))
    .join(', ');

export function scenariosPage(
  records: ScenarioRunRecord[],
  opts: { schedule: ScheduledScenarioView[]; canTrigger: boolean } = { schedule: [], canTrigger: false },
): string {
  const rows = records.map((rec) => {
    const r = rec.result as ScenarioResult;
    const fire = r.fire
      ? html` <span class="muted">(<a href="/scenarios/schedule/${encodeURIComponent(r.fire.schedule)}">${r.fire.schedule}</a>, ${r.fire.trigger})</span>`
      : '';
    return html`<tr><td>${statusBadge(rec.status)}</td><td><a href="/scenarios/${encodeURIComponent(rec.id)}">${rec.scenario}</a>${fire}</td><td><code>${rec.file}</code></td><td>${rec.finishedAt} <span class="muted">(${ago(rec.finishedAt)})</span></td><td>${detectTimes(r) || '—'}</td></tr>`;
  });
  const body = html`<h1>Scenarios</h1>
${scheduleTable(opts.schedule, records, { canTrigger: opts.canTrigger })}
<p class="muted">Runs of <code>vigil scenario run</code> and of the schedule recorded in this store, newest first (docs/scenarios.md).</p>
${
  records.length
    ? html`<table><tr><th>status</th><th>scenario</th><th>file</th><th>finished</th><th>time to detect</th></tr>${rows}</table>`
    : html`<p>No scenario run recorded yet.</p>
<p>A scenario asks the monitoring a question by changing something and watching it notice: <i>When I destroy member "app-0", Then "shop/app-0" is all red within 90s</i>.
Run one with <code>vigil scenario run FILE.feature</code>; its result shows here. The example stack runs the member-loss scenario for real
(HAProxy, three demo-app members, Nagios, Prometheus): <code>node demo/stack/start.ts</code>, then the commands it prints (docs/scenarios.md, docs/model.md).</p>`
}`;
  // No refresh under a Run now form: it would wipe a token being typed.
  return page('scenarios', body, opts.canTrigger && opts.schedule.length ? {} : { refreshSeconds: 30 });
}

function stepRow(s: StepResult): Html {
  const [headline, ...details] = (s.message ?? '').split('\n');
  return html`<tr><td>${statusBadge(s.status === 'passed' ? 'passed' : s.status === 'skipped' ? 'skipped' : s.status === 'failed' ? 'failed' : 'error')}</td><td><b>${s.keyword.trim()}</b> ${s.text} <span class="muted">:${s.line}</span>${s.note ? html`<div class="muted">${s.note}</div>` : ''}${headline ? html`<div class="failure">${headline}${details.length ? html`<pre>${details.join('\n')}</pre>` : ''}</div>` : ''}</td><td class="num">${seconds(s.durationMs)}</td><td class="num">${seconds(s.timeToDetectMs)}</td></tr>`;
}

export function scenarioRunPage(record: ScenarioRunRecord): string {
  const r = record.result as ScenarioResult;
  const table = (steps: StepResult[]) =>
    html`<table class="tests"><tr><th>status</th><th>step</th><th>took</th><th>time to detect</th></tr>${steps.map(stepRow)}</table>`;
  const body = html`<h1>${statusBadge(record.status)} ${record.scenario}</h1>
<p class="muted">${r.file ? html`<code>${r.file}:${r.line}</code> · ${r.feature} · ` : ''}${r.startedAt} → ${r.finishedAt} · <a href="/scenarios">all scenario runs</a></p>
${r.note ? html`<p class="pause-box">${r.note}</p>` : ''}
<h2>Steps</h2>${r.steps.length ? table(r.steps) : html`<p class="muted">No step recorded.</p>`}
${r.cleanup.length ? html`<h2>Cleanup</h2>${table(r.cleanup)}` : ''}`;
  return page(`scenario ${record.scenario} ${record.status}`, body);
}
