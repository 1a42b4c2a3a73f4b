// What `vigil run` prints on stderr while it works: plain lines for a pipe (scripts and the e2e tests
// read them), one live line rewritten in place for a terminal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressPrinter, type ProgressStream } from '../../src/cli/progress.ts';
import type { RunProgress } from '../../src/runs/orchestrator.ts';

function fakeStream(isTTY: boolean, columns = 100): ProgressStream & { text: () => string; writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, write: (chunk: string) => writes.push(chunk), writes, text: () => writes.join('') };
}

/** The lines a terminal shows after this output: \r + clear-line wipes the current line. */
function screenOf(text: string): string[] {
  return text.split('\n').map((line) => line.split('\r\x1b[2K').at(-1)!);
}

const runId = 'r1';
const phase = (p: 'tenant_setup' | 'test' | 'teardown', detail?: string): RunProgress => ({ type: 'phase', runId, phase: p, detail });
const begin = (total: number): RunProgress => ({ type: 'suite', runId, event: { type: 'begin', total } });
const test = (
  title: string,
  outcome: 'passed' | 'failed' | 'flaky' | 'skipped',
  extra: { retry?: number; error?: string; line?: number } = {},
): RunProgress => ({
  type: 'suite',
  runId,
  event: { type: 'test', title, file: 'notes.spec.ts', line: extra.line ?? 1, outcome, retry: extra.retry ?? 0, durationMs: 1234, error: extra.error },
});

// A run with one pass, one test that fails then passes on retry, and one that fails twice.
const run: RunProgress[] = [
  phase('tenant_setup', 'vigil-demo-abc'),
  phase('test'),
  begin(3),
  test('notes › adds a note', 'passed', { line: 1 }),
  test('search › finds it', 'failed', { line: 2, error: 'expected 1 result\n  at search.spec.ts:9' }),
  test('search › finds it', 'flaky', { line: 2, retry: 1 }),
  test('billing › shows plan', 'failed', { line: 3, error: 'locator not found\nstack' }),
  test('billing › shows plan', 'failed', { line: 3, retry: 1, error: 'locator not found\nstack' }),
  phase('teardown', 'vigil-demo-abc'),
];

describe('progress on a pipe', () => {
  it('prints one plain line per phase and per finished attempt, nothing rewritten', () => {
    const out = fakeStream(false);
    const print = createProgressPrinter(out);
    for (const p of run) print(p);
    print.finish();
    assert.equal(
      out.text(),
      [
        '[tenant_setup] creating tenant vigil-demo-abc',
        '[test] running the suite',
        '  3 tests to run',
        '  ✓ notes › adds a note 1.2s',
        '  ✘ search › finds it 1.2s',
        '  ± search › finds it (retry 1) 1.2s',
        '  ✘ billing › shows plan 1.2s',
        '  ✘ billing › shows plan (retry 1) 1.2s',
        '[teardown] deleting tenant vigil-demo-abc',
        '',
      ].join('\n'),
    );
    assert.ok(!out.text().includes('\r') && !out.text().includes('\x1b'), 'no terminal control codes in a pipe');
  });

  it('is what an undetected stream (no isTTY at all) gets', () => {
    const writes: string[] = [];
    const print = createProgressPrinter({ write: (c: string) => writes.push(c) });
    print(phase('test'));
    assert.deepEqual(writes, ['[test] running the suite\n']);
  });
});

describe('progress on a terminal', () => {
  it('rewrites one live line with phase, tests done/total and failures, then lists failures plainly', () => {
    const out = fakeStream(true);
    const print = createProgressPrinter(out);
    for (const p of run) print(p);
    print.finish();

    const text = out.text();
    // Every live update starts by returning to column 0 and clearing the line.
    const updates = out.writes.filter((w) => w.startsWith('\r\x1b[2K') && w.length > '\r\x1b[2K'.length);
    assert.ok(updates.length >= 5, `expected a live update per event, got ${updates.length}`);
    assert.ok(
      updates.every((u) => !u.includes('\n')),
      'a live update never ends the line',
    );
    assert.match(updates.at(-1)!, /\[test\] 3\/3 tests · 1 failed · 1 flaky · \d+s · ✘ billing › shows plan/);
    assert.ok(updates.some((u) => /\[test\] 1\/3 tests · \d+s · ✓ notes › adds a note/.test(u)));
    // The retried test counts once, with its last outcome.
    assert.ok(updates.some((u) => /\[test\] 2\/3 tests · 1 failed · \d+s · ✘ search › finds it/.test(u)));
    assert.ok(updates.some((u) => /\[test\] 2\/3 tests · 1 flaky · \d+s · ± search › finds it/.test(u)));

    // What stays on screen once the tests are done: phases, a count line, one plain line per failure.
    assert.deepEqual(screenOf(text), [
      '[tenant_setup] creating tenant vigil-demo-abc',
      '[test] running the suite',
      '  3 tests finished: 1 passed, 1 flaky, 1 failed',
      '  ✘ billing › shows plan — locator not found',
      '[teardown] deleting tenant vigil-demo-abc',
      '',
    ]);
    assert.ok(!/ {2}✓ notes/.test(text), 'passing tests are not listed one by one on a terminal');
  });

  it('cuts the live line to the terminal width so it never wraps', () => {
    const out = fakeStream(true, 40);
    const print = createProgressPrinter(out);
    print(phase('test'));
    print(begin(1));
    print(test(`a very long title ${'x'.repeat(200)}`, 'passed'));
    print.finish();
    const live = out.writes.filter((w) => w.startsWith('\r\x1b[2K') && w.length > 5).map((w) => [...w.slice(5)]);
    assert.ok(live.length > 0);
    for (const l of live) assert.ok(l.length <= 39, `live line of ${l.length} columns on a 40-column terminal`);
    assert.ok(live.at(-1)!.at(-1) === '…');
  });

  it('leaves no live line behind when finish() is called mid-run (e.g. interrupted before teardown)', () => {
    const out = fakeStream(true);
    const print = createProgressPrinter(out);
    print(phase('test'));
    print(begin(2));
    print(test('one', 'passed'));
    print.finish();
    print.finish();
    assert.ok(out.text().endsWith('  1 test finished: 1 passed\n'), JSON.stringify(out.text()));
  });

  it('prints a failed tenant setup as a plain line with nothing live', () => {
    const out = fakeStream(true);
    const print = createProgressPrinter(out);
    print(phase('tenant_setup', 'vigil-demo-x'));
    print.finish();
    assert.equal(out.text(), '[tenant_setup] creating tenant vigil-demo-x\n');
  });
});
