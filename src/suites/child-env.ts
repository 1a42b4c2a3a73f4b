// The child's environment is built, not inherited wholesale: variables such as CI, PW_TEST_*,
// PLAYWRIGHT_* or NODE_OPTIONS on the Vigil host would silently change retries, reporters, output
// paths or the loader of the suite. We drop them, then set CI=1 so configs keyed on `process.env.CI`
// (retries, forbidOnly, workers) behave as in the app's own CI, and FORCE_COLOR=0 for plain output.
// options.env (tenant fields, suite env) comes last and wins.
// Variables that Vigil's own config read as secrets (withheld) are not inherited either: the suite,
// its scripts and the pages it opens have no business with the NSCA password or an admin token. A
// suite's `env:` can still pass one on by name, since `extra` is applied after the filter.

const DROPPED_EXACT = new Set([
  'CI',
  'FORCE_COLOR',
  'NO_COLOR',
  'NODE_OPTIONS',
  'NODE_PATH',
  'TEST_WORKER_INDEX',
  'TEST_PARALLEL_INDEX',
  'DEBUG',
  'PWDEBUG',
  'PWTEST_WATCH',
]);
const KEPT_PLAYWRIGHT = new Set(['PLAYWRIGHT_BROWSERS_PATH']);

export function isDroppedVariable(name: string): boolean {
  if (DROPPED_EXACT.has(name)) return true;
  if (name.startsWith('PW_') || name.startsWith('PWTEST_')) return true;
  if (name.startsWith('PLAYWRIGHT_')) return !KEPT_PLAYWRIGHT.has(name);
  if (name.startsWith('VIGIL_')) return true; // ours are set per run below, never inherited
  return false;
}

export function buildChildEnv(
  base: NodeJS.ProcessEnv,
  runtime: Record<string, string>,
  extra: Record<string, string>,
  withheld: Iterable<string> = [],
): Record<string, string> {
  const withheldNames = new Set(withheld);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !isDroppedVariable(name) && !withheldNames.has(name)) env[name] = value;
  }
  return { ...env, CI: '1', FORCE_COLOR: '0', ...extra, ...runtime };
}
