// What a finished Playwright process means, as a table: every branch of classifyExit, without a process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyCounts } from '../../src/core/index.ts';
import { classifyExit, NO_TESTS_MESSAGE, type ObservedExit } from '../../src/suites/classify-exit.ts';

const ran = { ...emptyCounts(), total: 3, passed: 3 };
const observed = (o: Partial<ObservedExit>): ObservedExit => ({
  timeoutMs: 60_000,
  exit: { code: 0, signal: null },
  runErrors: [],
  ended: { type: 'end', status: 'passed' },
  tests: ran,
  tail: '',
  ...o,
});

describe('classifyExit', () => {
  const cases: Array<[string, Partial<ObservedExit>, string, RegExp?]> = [
    ['a finished run, tests passed or failed (exit 0 or 1)', {}, 'completed'],
    ['failed tests exit 1 and are still a completed run', { exit: { code: 1, signal: null }, ended: { type: 'end', status: 'failed' } }, 'completed'],
    ['Vigil stopped it on timeout, whatever the exit', { stopReason: 'timeout', exit: { code: null, signal: 'SIGKILL' } }, 'timeout', /within 60000 ms/],
    ['Vigil stopped it on abort', { stopReason: 'interrupted', exit: { code: null, signal: 'SIGTERM' } }, 'interrupted', /aborted/],
    ['it could not be spawned', { exit: { code: null, signal: null, spawnError: new Error('ENOENT') } }, 'crashed', /could not start Playwright: ENOENT/],
    ['"no tests found" is the only error', { runErrors: ['Error: No tests found'], ended: undefined }, 'crashed', new RegExp(NO_TESTS_MESSAGE.slice(0, 20))],
    ['an error outside tests (a config that throws)', { runErrors: ['SyntaxError in playwright.config.ts'] }, 'crashed', /errors outside tests:\nSyntaxError/],
    ['the run ended with nothing in it', { tests: emptyCounts() }, 'crashed', /no tests matched/],
    [
      'it died before the end event',
      { ended: undefined, exit: { code: null, signal: 'SIGSEGV' }, tail: '\nboom' },
      'crashed',
      /exited \(signal SIGSEGV\) before finishing the run\nboom/,
    ],
    ['an exit code Playwright never uses for test results', { exit: { code: 130, signal: null } }, 'crashed', /exited with exit code 130/],
    ["the suite's own globalTimeout", { exit: { code: 1, signal: null }, ended: { type: 'end', status: 'timedout' } }, 'crashed', /globalTimeout/],
    [
      'Playwright interrupted itself',
      { exit: { code: 1, signal: null }, ended: { type: 'end', status: 'interrupted' } },
      'crashed',
      /was interrupted \(exit code 1\)/,
    ],
  ];
  for (const [what, o, kind, message] of cases) {
    test(`${what} → ${kind}`, () => {
      const got = classifyExit(observed(o));
      assert.equal(got.kind, kind);
      if (message) assert.match(got.message ?? '', message);
      else assert.equal(got.message, undefined);
    });
  }
});
