// Scheduled scenarios in the UI (docs/scenarios.md, "On a schedule in vigil serve"): the schedule table
// on the Scenarios page, and one entry's page — its cron, next fire and passive service, a "Run now"
// form (the token asked every time, as the suite page's), each Then's time to detect as a trend over
// the stored runs, and the last fires with how they were judged.
import { STATE_LABEL, type NagiosState } from '../../core/index.ts';
import type { ScenarioResult } from '../../scenarios/types.ts';
import type { ScenarioRunRecord } from '../../store/types.ts';
import type { ScheduledScenarioView } from '../scenario-control.ts';
import { fireOf, firesOf, STATE_BADGE, type FireSummary } from '../scheduled-fires.ts';
import { ago, html, page, statusBadge, type Html } from './html.ts';
import { lineChart, type Line } from './svg-chart.ts';

/** Stored runs the trend covers, oldest left. */
const TREND_RUNS = 30;

const pageOf = (name: string) => `/scenarios/schedule/${encodeURIComponent(name)}`;

export function stateBadge(state: number): Html {
  return html`<span class="badge ${STATE_BADGE[state] ?? 'error'}">${STATE_LABEL[state as NagiosState] ?? String(state)}</span>`;
}

function runForm(name: string, canTrigger: boolean): Html {
  if (!canTrigger) return html`<span class="muted">set <code>api.token</code> to run it from here</span>`;
  return html`<form class="trigger" method="post" action="/ui/scenarios/run">
<input type="hidden" name="name" value="${name}">
<label>API token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Run ${name} now</button></form>`;
}

const now = (e: ScheduledScenarioView) =>
  e.running ? html`<span class="badge running">running</span> <span class="muted">${e.running.trigger}</span>` : 'idle';
const lastCell = (last: FireSummary | undefined) =>
  last
    ? html`${stateBadge(last.state)} <span class="muted">${ago(last.finishedAt)}, ${last.trigger}</span><div>${last.line}</div>`
    : html`<span class="muted">not fired yet</span>`;

/** The schedule above the Scenarios page's runs: one row per entry, with its last fire and a Run now form. */
export function scheduleTable(entries: readonly ScheduledScenarioView[], records: readonly ScenarioRunRecord[], opts: { canTrigger: boolean }): Html {
  if (!entries.length) return html``;
  const fires = firesOf(records);
  const rows = entries.map(
    (e) =>
      html`<tr><td><a href="${pageOf(e.name)}">${e.name}</a></td><td>${environmentsOf(e, { short: true })}</td><td><code>${e.cron}</code></td><td>${e.nextFire ? html`<span title="${e.nextFire}">${ago(e.nextFire)}</span>` : '—'}</td><td>${e.nagios ? html`<code>${e.nagios.host}!${e.nagios.service}</code>` : '—'}</td><td>${now(e)}</td><td>${lastCell(fires.find((f) => f.schedule === e.name))}</td><td>${runForm(e.name, opts.canTrigger)}</td></tr>`,
  );
  return html`<h2>Schedule</h2>
<p class="muted">Scheduled in this <code>vigil serve</code> (scenarios.schedule): each fire breaks something on purpose and checks that the monitoring notices. One scenario at a time: Run now is refused while another runs.</p>
<table id="schedule"><thead><tr><th>Entry</th><th>Acts on</th><th>Cron</th><th>Next</th><th>Passive service</th><th>Now</th><th>Last fire</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<h2>Runs</h2>`;
}

/** One line per (scenario, Then) over the entry's runs, oldest left; a gap where the Then did not hold or did not run. */
export function detectSeries(records: readonly ScenarioRunRecord[]): { slots: number; lines: Line[] } {
  const runs = [...records].slice(0, TREND_RUNS).reverse();
  const byThen = new Map<string, Array<number | undefined>>();
  // The scenario's name only when the file has several: the legend has room for the Then's own words.
  const several = new Set(runs.map((r) => r.scenario)).size > 1;
  runs.forEach((record, i) => {
    const result = record.result as ScenarioResult;
    for (const step of result.steps) {
      if (step.timeToDetectMs === undefined) continue;
      const then = `${step.keyword.trim()} ${step.text}`;
      const name = several ? `${result.scenario} › ${then}` : then;
      let values = byThen.get(name);
      if (!values) byThen.set(name, (values = Array.from({ length: runs.length }, () => undefined)));
      values[i] = step.timeToDetectMs / 1000;
    }
  });
  return { slots: runs.length, lines: [...byThen].map(([name, values]) => ({ name, values })) };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

function runRow(record: ScenarioRunRecord): Html {
  const result = record.result as ScenarioResult;
  const fire = fireOf(record);
  const detect = result.steps.filter((s) => s.timeToDetectMs !== undefined).map((s) => seconds(s.timeToDetectMs));
  return html`<tr><td>${fire ? stateBadge(fire.state) : ''}</td><td>${statusBadge(record.status)}</td><td><a href="/scenarios/${encodeURIComponent(record.id)}">${record.scenario}</a>${fire ? html`<div class="muted">${fire.line}</div>` : ''}</td><td>${fire?.trigger ?? ''}</td><td>${record.finishedAt} <span class="muted">(${ago(record.finishedAt)})</span></td><td>${detect.join(', ') || '—'}</td></tr>`;
}

/**
 * Where it acts (its allow-list), each production environment said as such — it runs there only by
 * the entry's own `production: true` — and a pause holding it now.
 */
function environmentsOf(entry: ScheduledScenarioView, opts: { short?: boolean } = {}): Html {
  const names = entry.environments.map((e, i) =>
    e.production
      ? html`${i ? ', ' : ''}<strong>${e.name}</strong> <span class="badge failed" title="production: runs there by the entry's own production: true">production</span>`
      : html`${i ? ', ' : ''}${e.name}`,
  );
  const production =
    !opts.short && entry.environments.some((e) => e.production)
      ? html` <span class="muted">— breaks things in production on every fire, by the opt-in <code>production: true</code> in its config</span>`
      : '';
  const paused = entry.paused
    ? html`<br><span class="badge paused">paused</span> on ${entry.paused.environment} until ${entry.paused.until} (${entry.paused.reason})`
    : '';
  return html`${names}${production}${paused}`;
}

/** `/scenarios/schedule/:name`: the entry, Run now, the time-to-detect trend and its last runs (newest first). */
export function schedulePage(entry: ScheduledScenarioView, records: readonly ScenarioRunRecord[], opts: { canTrigger: boolean }): string {
  const last = firesOf(records, entry.name)[0];
  const trend = detectSeries(records);
  const body = html`<h1>Scheduled scenario ${entry.name} ${last ? stateBadge(last.state) : ''}</h1>
<p class="muted"><a href="/scenarios">all scenarios</a></p>
<dl><dt>File</dt><dd><code>${entry.file}</code></dd>
<dt>Scenarios</dt><dd>${entry.scenarios.join('; ')}</dd>
<dt>Acts on</dt><dd>${environmentsOf(entry)}</dd>
<dt>Cron</dt><dd><code>${entry.cron}</code></dd>
<dt>Next</dt><dd>${entry.nextFire ? html`${entry.nextFire} (${ago(entry.nextFire)})` : '—'}</dd>
<dt>Passive service</dt><dd>${entry.nagios ? html`<code>${entry.nagios.host}!${entry.nagios.service}</code>` : 'none'}</dd>
<dt>Now</dt><dd>${now(entry)}</dd>
<dt>Last fire</dt><dd>${last ? html`${stateBadge(last.state)} ${last.line} <span class="muted">(${last.trigger}, ${ago(last.finishedAt)})</span>` : 'not fired yet'}</dd></dl>
<h2>Run now</h2>${runForm(entry.name, opts.canTrigger)}
<h2>Time to detect per Then${trend.slots ? ` over the last ${trend.slots} run${trend.slots === 1 ? '' : 's'}` : ''}</h2>
<div class="panel" id="time-to-detect">${
    trend.lines.length
      ? lineChart(trend.lines, { label: 'Time to detect of each Then in seconds, per run, oldest left', unit: 's', slots: trend.slots })
      : html`<p class="muted">No Then has held yet: no time to detect recorded.</p>`
  }
<p class="muted">From the action before it to the moment the Then held; a gap is a run where it did not hold or did not run (its run page says why).</p></div>
<h2>Last runs</h2>
${
  records.length
    ? html`<table id="runs"><thead><tr><th>Judged</th><th>Status</th><th>Scenario</th><th>Trigger</th><th>Finished</th><th>Time to detect</th></tr></thead><tbody>${records.map(runRow)}</tbody></table>`
    : html`<p class="muted">No run of this entry stored yet.</p>`
}`;
  return page(`scenario schedule ${entry.name}`, body, { refreshSeconds: entry.running ? 5 : 30 });
}
