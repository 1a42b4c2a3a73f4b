// Feature files the stack specs make from the shipped ones.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './vigil-cli.ts';

/**
 * The negative control without its tag: a member loss the monitoring cannot see (its check disabled),
 * judged as a real one — what "a member loss made unnoticeable" means in the specs. Returns its path.
 */
export async function writeUnnoticedLoss(dir: string): Promise<string> {
  const control = await readFile(join(repoRoot, 'scenarios', 'negative-control.feature'), 'utf8');
  const file = join(dir, 'unnoticed-loss.feature');
  await writeFile(file, control.replace(/^@expected-to-fail\n/, '').replace('Feature: Negative control', 'Feature: Unnoticed loss'));
  return file;
}
