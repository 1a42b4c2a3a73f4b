// PairSeries renders the per-pair families itself (for scrape speed): its text must be what
// prom-client would render for the same samples, and a change must reach the next scrape.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry } from 'prom-client';
import { PairSeries } from '../../../src/exporters/prometheus/pair-series.ts';

const STATUSES = ['passed', 'failed'] as const;

function both() {
  const series = new PairSeries();
  const registry = new Registry();
  const registers = [registry];
  const mine = {
    up: series.family({ name: 'probe_success', help: 'Whether it passed.', type: 'gauge' }),
    runs: series.family({
      name: 'vigil_runs_total',
      help: 'Runs \\ by "outcome"\nsecond line.',
      type: 'counter',
      extra: { label: 'status', values: STATUSES },
    }),
  };
  const theirs = {
    up: new Gauge({ name: 'probe_success', help: 'Whether it passed.', labelNames: ['suite', 'environment'], registers }),
    runs: new Counter({
      name: 'vigil_runs_total',
      help: 'Runs \\ by "outcome"\nsecond line.',
      labelNames: ['suite', 'environment', 'status'],
      registers,
    }),
  };
  return { series, registry, mine, theirs };
}

describe('per-pair series', () => {
  test('render the same text as prom-client for the same samples, escapes included', async () => {
    const { series, registry, mine, theirs } = both();
    const pairs = [
      ['checkout', 'production'],
      ['we\\ird "name"\nx', 'staging'],
    ] as const;
    for (const [suite, environment] of pairs) {
      for (const status of STATUSES) {
        mine.runs.inc(suite, environment, 0, status);
        theirs.runs.inc({ suite, environment, status }, 0);
      }
    }
    mine.up.set('checkout', 'production', 1);
    theirs.up.set({ suite: 'checkout', environment: 'production' }, 1);
    mine.runs.inc('checkout', 'production', 1, 'passed');
    theirs.runs.inc({ suite: 'checkout', environment: 'production', status: 'passed' });
    mine.runs.inc('checkout', 'production', 2.5, 'failed');
    theirs.runs.inc({ suite: 'checkout', environment: 'production', status: 'failed' }, 2.5);
    mine.up.set('we\\ird "name"\nx', 'staging', 1763900000.123);
    theirs.up.set({ suite: 'we\\ird "name"\nx', environment: 'staging' }, 1763900000.123);

    assert.equal(`${series.render()}\n`, await registry.metrics());
  });

  test('a family with no sample still has its HELP and TYPE, like prom-client', async () => {
    const { series, registry } = both();
    assert.equal(`${series.render()}\n`, await registry.metrics());
    assert.match(series.render(), /^# HELP probe_success .*\n# TYPE probe_success gauge\n\n# HELP vigil_runs_total/);
  });

  test('a change after a scrape is in the next scrape; an unchanged scrape is the same text', () => {
    const { series, mine } = both();
    mine.up.set('a', 'e', 1);
    mine.up.set('b', 'e', 1);
    const first = series.render();
    assert.equal(series.render(), first);
    mine.up.set('b', 'e', 0);
    const second = series.render();
    assert.match(second, /^probe_success\{suite="a",environment="e"\} 1$/m);
    assert.match(second, /^probe_success\{suite="b",environment="e"\} 0$/m);
    assert.doesNotMatch(second, /suite="b",environment="e"\} 1$/m);
    mine.runs.inc('a', 'e', 1, 'failed');
    mine.runs.inc('a', 'e', 1, 'failed');
    assert.match(series.render(), /^vigil_runs_total\{suite="a",environment="e",status="failed"\} 2$/m);
    assert.equal(mine.runs.get('a', 'e', 'failed'), 2);
    assert.equal(mine.runs.get('a', 'e', 'passed'), undefined);
  });

  test('a third-label value outside the usual list gets its own series; NaN and infinities are spelled as Prometheus reads them', () => {
    const { series, mine } = both();
    mine.runs.inc('a', 'e', 1, 'passed');
    mine.runs.inc('a', 'e', 1, 'cancelled');
    mine.up.set('a', 'e', NaN);
    mine.up.set('b', 'e', Infinity);
    mine.up.set('c', 'e', -Infinity);
    const text = series.render();
    assert.match(
      text,
      /^vigil_runs_total\{suite="a",environment="e",status="passed"\} 1\nvigil_runs_total\{suite="a",environment="e",status="cancelled"\} 1$/m,
    );
    assert.match(text, /^probe_success\{suite="a",environment="e"\} NaN$/m);
    assert.match(text, /^probe_success\{suite="b",environment="e"\} \+Inf$/m);
    assert.match(text, /^probe_success\{suite="c",environment="e"\} -Inf$/m);
  });

  test('misuse is an error naming the family: a missing third label, one it does not have, a late declaration', () => {
    const { series, mine } = both();
    assert.throws(() => mine.runs.inc('a', 'e'), /vigil_runs_total needs a value for its label "status"/);
    assert.throws(() => mine.up.set('a', 'e', 1, 'passed'), /probe_success has no third label/);
    mine.up.set('a', 'e', 1);
    assert.throws(() => series.family({ name: 'late', help: 'x', type: 'gauge' }), /declared before the first sample/);
    const fresh = new PairSeries();
    fresh.family({ name: 'x', help: 'x', type: 'gauge' });
    assert.throws(() => fresh.family({ name: 'x', help: 'y', type: 'counter' }), /x is declared twice/);
  });
});
