// The `vigil` launcher (src/cli/vigil.js) and the Node flags it runs with: package.json `start` and the
// image's ENTRYPOINT repeat them, and the compile cache is only shared by runs with the same flags.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './vigil-cli.ts';

export const launcher = path.join(repoRoot, 'src/cli/vigil.js');

/** The Node flags of the launcher's `#!/usr/bin/env -S node …` line. */
export function launcherFlags(): string[] {
  const first = readFileSync(launcher, 'utf8').split('\n')[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  assert.ok(m, `src/cli/vigil.js starts with "#!/usr/bin/env -S node [--flags]": ${first}`);
  return m[1].split(' ').filter(Boolean);
}
