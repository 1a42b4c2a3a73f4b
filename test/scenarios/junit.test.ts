// JUnit XML must survive whatever a scenario's names and a monitoring plugin's output hold: markup,
// quotes, newlines, control characters XML cannot carry. Checked with an independent XML parser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitXml, type ScenarioResult } from '../../src/scenarios/index.ts';

const nasty = 'a & b < c > d "quoted" \'single\' \u0007bell\u0000nul ]]> 🙂';

const result = (status: ScenarioResult['status'], message?: string): ScenarioResult => ({
  id: 'x',
  file: 'scenarios/<odd> & "file".feature',
  feature: `Feature ${nasty}`,
  scenario: `Scenario ${nasty}`,
  line: 3,
  status,
  startedAt: '2030-01-01T12:00:00.000Z',
  finishedAt: '2030-01-01T12:00:02.500Z',
  steps: [
    { keyword: 'Given', text: 'the service "shop" is all green', line: 4, status: 'passed', durationMs: 10 },
    {
      keyword: 'Then',
      text: `within 2m the member "app-0" is all red`,
      line: 6,
      status: status === 'passed' ? 'passed' : 'failed',
      durationMs: 120_000,
      ...(message ? { message } : {}),
    },
  ],
  cleanup: [{ keyword: 'cleanup', text: 'restore-member "app-0"', line: 5, status: 'passed', durationMs: 5 }],
});

const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true, htmlEntities: false }).parse(xml);

describe('JUnit XML', () => {
  it('escapes names, messages and output so that a strict parser reads back exactly what was meant', () => {
    const message = `shop/app-0 is not all red; in the way:\n  shop/app-0: nagios:app-0!HTTP is OK, fresh — <b>${nasty}</b>`;
    const xml = junitXml([result('failed', message), result('passed')]);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = parse(xml);
    const suite = doc.testsuites.testsuite;
    assert.equal(doc.testsuites.tests, '2');
    assert.equal(doc.testsuites.failures, '1');
    const [failed, passed] = suite.testcase;
    const clean = nasty.replace(/[\u0000\u0007]/g, '');
    assert.equal(failed.name, `Scenario ${clean}`);
    assert.equal(failed.classname, 'scenarios/<odd> & "file".feature');
    assert.equal(failed.time, '2.500');
    // The message names the failing step by file and line, and carries the headline only.
    assert.equal(
      failed.failure.message,
      `scenarios/<odd> & "file".feature:6: Then within 2m the member "app-0" is all red: shop/app-0 is not all red; in the way:`,
    );
    assert.match(failed.failure['#text'], new RegExp(`<b>${clean.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</b>`));
    assert.equal(passed.failure, undefined);
    assert.match(passed['system-out'], /cleanup: passed {6}cleanup restore-member "app-0"/);
  });

  it('an interrupted or errored scenario is an <error>, not a <failure>', () => {
    const xml = junitXml([
      { ...result('interrupted'), steps: [{ keyword: 'Then', text: 'x', line: 2, status: 'interrupted', durationMs: 1, message: 'interrupted by SIGTERM' }] },
    ]);
    const doc = parse(xml);
    assert.equal(doc.testsuites.errors, '1');
    assert.equal(doc.testsuites.testsuite.testcase.error.message, 'scenarios/<odd> & "file".feature:2: Then x: interrupted by SIGTERM');
  });
});
