// Gherkin with Cucumber's own parser and pickle compiler (never a home-made parser): Backgrounds,
// Rules, Scenario Outlines and `And`/`But` resolve exactly as they do in Cucumber. Each pickle becomes a
// ParsedScenario whose steps keep their line in the file, so every later message can point at it.
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, PickleStepType, type GherkinDocument, type Step } from '@cucumber/messages';
import { messageOf } from '../shared/errors.ts';
import { ScenarioFileError } from './errors.ts';
import type { ParsedScenario, StepType } from './types.ts';

const TYPES: Record<PickleStepType, StepType> = {
  [PickleStepType.CONTEXT]: 'context',
  [PickleStepType.ACTION]: 'action',
  [PickleStepType.OUTCOME]: 'outcome',
  [PickleStepType.UNKNOWN]: 'unknown',
};

function stepsById(document: GherkinDocument): Map<string, Step> {
  const steps = new Map<string, Step>();
  const add = (list: readonly Step[]) => {
    for (const s of list) steps.set(s.id, s);
  };
  for (const child of document.feature?.children ?? []) {
    if (child.background) add(child.background.steps);
    if (child.scenario) add(child.scenario.steps);
    for (const ruleChild of child.rule?.children ?? []) {
      if (ruleChild.background) add(ruleChild.background.steps);
      if (ruleChild.scenario) add(ruleChild.scenario.steps);
    }
  }
  return steps;
}

/** Parser errors come as "(3:5): expected: …"; we say "file:3:5: expected: …". */
function parseProblems(err: unknown, file: string): string[] {
  const errors = (err as { errors?: unknown[] }).errors?.length ? (err as { errors: unknown[] }).errors : [err];
  return errors.map((e) => {
    const location = (e as { location?: { line: number; column?: number } }).location;
    const message = messageOf(e).replace(/^\(\d+:\d+\):\s*/, '');
    return location ? `${file}:${location.line}${location.column ? `:${location.column}` : ''}: ${message}` : `${file}: ${message}`;
  });
}

/** Parses one feature file's text; `file` is how messages name it. Throws ScenarioFileError. */
export function parseFeature(text: string, file: string): ParsedScenario[] {
  const newId = IdGenerator.incrementing();
  let document: GherkinDocument;
  try {
    document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(text);
  } catch (err) {
    throw new ScenarioFileError(parseProblems(err, file));
  }
  if (!document.feature) throw new ScenarioFileError([`${file}: no Feature in the file`]);
  const astSteps = stepsById(document);
  const scenarios = compile(document, file, newId).map((pickle): ParsedScenario => {
    const scenarioLine = pickle.location?.line ?? document.feature!.location.line;
    return {
      file,
      feature: document.feature!.name,
      name: pickle.name,
      line: scenarioLine,
      tags: pickle.tags.map((t) => t.name),
      steps: pickle.steps.map((step) => {
        const ast = astSteps.get(step.astNodeIds[0]);
        return {
          keyword: ast?.keyword ?? '* ',
          type: TYPES[step.type ?? PickleStepType.UNKNOWN],
          text: step.text,
          line: ast?.location.line ?? scenarioLine,
          ...(step.argument?.docString ? { docString: step.argument.docString.content } : {}),
        };
      }),
    };
  });
  if (!scenarios.length) throw new ScenarioFileError([`${file}:${document.feature.location.line}: Feature "${document.feature.name}" has no scenarios`]);
  return scenarios;
}
