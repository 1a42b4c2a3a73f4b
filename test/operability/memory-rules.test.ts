// Memory rules of a long-running `vigil serve` that no type checker sees (docs/architecture.md, "Start-up
// and memory"), as checks on the source. The runtime ones (no undici, no pino-pretty at idle) are in
// launcher.test.ts, which starts serve.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../helpers/vigil-cli.ts';

const sources = globSync('src/**/*.{ts,js}', { cwd: repoRoot }).map((file) => ({ file, text: readFileSync(path.join(repoRoot, file), 'utf8') }));
const offenders = (pattern: RegExp) =>
  sources.flatMap(({ file, text }) =>
    text
      .split('\n')
      .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
      .filter(({ line }) => pattern.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`),
  );

describe('memory rules', () => {
  test('no ICU collation: no localeCompare, Intl.Collator or toLocale*String in src/ (names are ASCII; code-unit order will do)', () => {
    assert.ok(sources.length > 50, 'the source tree was read');
    assert.deepEqual(offenders(/\.localeCompare\(|Intl\.Collator|\.toLocale(Upper|Lower)?(Date|Time)?String\(/), []);
  });
});
