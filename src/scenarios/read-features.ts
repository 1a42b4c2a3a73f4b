// Reads and parses every feature file named on the command line; all problems of all files at once.
import { readFile } from 'node:fs/promises';
import { messageOf } from '../shared/errors.ts';
import { ScenarioFileError } from './errors.ts';
import { parseFeature } from './parse-feature.ts';
import type { ParsedScenario } from './types.ts';

export async function readFeatures(files: readonly string[]): Promise<ParsedScenario[]> {
  const problems: string[] = [];
  const scenarios: ParsedScenario[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read: ${messageOf(err)}`}`);
      continue;
    }
    try {
      scenarios.push(...parseFeature(text, file));
    } catch (err) {
      if (err instanceof ScenarioFileError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new ScenarioFileError(problems);
  return scenarios;
}
