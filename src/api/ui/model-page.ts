// The service model as a page: the tree with every node's aggregated state and every check's state and
// reason (stale, disabled, missing, … are spelled out: "is the monitoring just saying OK?"), then the two
// questions of the seed for the node shown, and the coverage of each node with a pool: (its gaps named
// per kind, with when the pool was read). Server-rendered, no script.
import { STATE_LABEL } from '../../core/index.ts';
import { coverageState } from '../../model/coverage-check.ts';
import { GAP_KINDS, type Coverage } from '../../model/coverage.ts';
import type { ModelEvaluation } from '../../model/monitor.ts';
import { allGreen, allRed } from '../../model/queries.ts';
import type { CheckStatus, EvaluatedNode } from '../../model/types.ts';
import { ago, html, page, type Html } from './html.ts';

// The run status colours the UI already uses, by Nagios state.
const CLASS = { OK: 'passed', WARNING: 'flaky', CRITICAL: 'failed', UNKNOWN: 'error' } as const;

const stateBadge = (state: keyof typeof CLASS) => html`<span class="badge ${CLASS[state]}">${state}</span>`;

function checkItem(check: CheckStatus, nowMs: number): Html {
  const flags = [check.reason, check.downtime ? 'in downtime' : '', check.acknowledged ? 'acknowledged' : '', check.recheckForcedAt ? 're-check forced' : '']
    .filter(Boolean)
    .join(', ');
  const mark = check.green ? '✓' : check.red ? '✗' : '·';
  return html`<li class="check"><span class="mark">${mark}</span> ${stateBadge(check.state)} <code>${check.id}</code>${check.raw && check.raw !== check.state ? html` <span class="muted">${check.raw}</span>` : ''}
 <span class="${check.green ? 'muted' : 'why'}">[${flags}${check.lastCheck ? `, ${ago(check.lastCheck, nowMs)}` : ''}]</span>${check.detail && check.reason !== 'fresh' ? html` <span class="why">${check.detail}</span>` : ''}${check.output ? html` <span class="muted">— ${check.output.split('\n')[0].slice(0, 160)}</span>` : ''}</li>`;
}

function nodeItem(node: EvaluatedNode, nowMs: number, depth: number): Html {
  const green = allGreen(node, true).holds;
  return html`<li class="node"><div>${stateBadge(node.state)} <a href="/model/${node.path.split('/').map(encodeURIComponent).join('/')}"><b>${node.name}</b></a>
 <span class="muted">${typeof node.aggregate === 'string' ? node.aggregate : `min ${node.aggregate.min}`}; ${node.checks.length} checks, ${node.members.length} members${node.discovered ? '; discovered' : ''} · all green transitively: ${green ? 'yes' : 'no'}</span></div>
${node.findings.length ? html`<ul>${node.findings.map((f) => html`<li class="why">! ${f.message}</li>`)}</ul>` : ''}
<ul>${node.checks.map((c) => checkItem(c, nowMs))}</ul>
${node.members.length ? html`<ul class="members">${node.members.map((m) => nodeItem(m, nowMs, depth + 1))}</ul>` : ''}</li>`;
}

function coveragePanel(c: Coverage): Html {
  const read = c.poolReadAt ? html` <span class="muted">read ${ago(c.poolReadAt)} (${c.poolReadAt})</span>` : '';
  const head = html`<div>${stateBadge(STATE_LABEL[coverageState(c)] as keyof typeof CLASS)} <b>Coverage of ${c.node}</b>: pool ${c.pool}${read}</div>`;
  if (c.answer === 'cannot-ask') {
    return html`<div class="panel coverage">${head}<p>Cannot tell whether the monitoring covers the pool:</p><ul>${c.problems.map((p) => html`<li class="why">${p}</li>`)}</ul></div>`;
  }
  const kinds = GAP_KINDS.map((kind) => ({ kind, gaps: c.gaps.filter((g) => g.kind === kind) })).filter((k) => k.gaps.length);
  const verdict =
    c.answer === 'covered'
      ? html`<p>Covered: all ${c.poolSize} in the pool are monitored, and no monitored member is outside it.</p>`
      : html`<p>${c.gaps.length} gap${c.gaps.length === 1 ? '' : 's'} between the pool (${c.poolSize} in it) and the monitoring (${c.monitored} monitored):</p>`;
  return html`<div class="panel coverage">${head}${verdict}
${kinds.map((k) => html`<div><b>${k.kind}</b> (${k.gaps.length})<ul>${k.gaps.map((g) => html`<li class="why">${g.message}</li>`)}</ul></div>`)}
${c.covered.length ? html`<p class="muted">covered (${c.covered.length}): ${c.covered.map((m) => `${m.member} (${m.poolState})`).join(', ')}</p>` : ''}</div>`;
}

export function modelPage(evaluation: ModelEvaluation, focus?: EvaluatedNode): string {
  const nodes = focus ? [focus] : evaluation.roots;
  const answers = focus
    ? html`<div class="panel"><p>${(['own', 'transitive'] as const).map((scope) => {
        const transitive = scope === 'transitive';
        const g = allGreen(focus, transitive);
        const r = allRed(focus, transitive);
        return html`<div><b>${transitive ? 'Transitively' : 'Non-transitively'}</b>: all green ${g.holds ? 'yes' : 'no'}, all red ${r.holds ? 'yes' : 'no'} <span class="muted">(${g.checks} checks in scope)</span>
${!g.holds ? html`<ul>${g.blockers.slice(0, 50).map((b) => html`<li class="why">${b.message}</li>`)}</ul>` : ''}</div>`;
      })}</p></div>`
    : '';
  const coverage = focus ? evaluation.coverage.filter((c) => c.node === focus.path) : evaluation.coverage;
  const body = html`<h1>Service model${focus ? html`: ${focus.path}` : ''}</h1>
<p class="muted">Evaluated ${ago(evaluation.at)} (${evaluation.at}); refreshes every 30 s. Only a fresh, enabled OK is green. ${focus ? html`<a href="/model">Whole model</a>` : ''}</p>
${answers}
${coverage.map(coveragePanel)}
<ul class="model">${nodes.map((n) => nodeItem(n, evaluation.nowMs, 0))}</ul>`;
  return page(focus ? `model ${focus.path}` : 'service model', body, { refreshSeconds: 30 });
}
