// Fills the compile cache for every module of Vigil without running anything, so that the first
// `vigil serve` already finds it warm. The image build runs it through the launcher, which gives it the
// launcher's Node flags (part of the cache's key); run it as the user that runs Vigil (the other part):
//   /app/src/cli/vigil.js --warm-compile-cache
// A derived image that adds TypeScript loaded in-process (a `kind: module` tenant provisioner) names
// those files too:
//   /app/src/cli/vigil.js --warm-compile-cache /etc/vigil/tenants/shop.ts
// Prints how many modules it loaded and where the cache is; exits 1 if the cache is off.
import { globSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * @param {{ enabled: boolean, directory?: string, message?: string }} cache what enableCompileCache() said
 * @param {string[]} extra more files to load (paths)
 * @returns {Promise<number>} the exit code
 */
export async function warmCompileCache(cache, extra) {
  if (!cache.enabled) {
    process.stderr.write(`warm-compile-cache: the compile cache is off: ${cache.message ?? 'NODE_DISABLE_COMPILE_CACHE is set'}\n`);
    return 1;
  }
  // Importing runs nothing: src/cli/vigil.ts only runs the command line as the main module. demo/app.ts
  // runs in-process when there is no config, which is what the image does by default.
  const own = globSync('src/**/*.ts', { cwd: root }).map((f) => f.split(path.sep).join('/'));
  const files = [...[...own, 'demo/app.ts'].sort().map((f) => path.join(root, f)), ...extra.map((f) => path.resolve(f))];
  for (const file of files) await import(pathToFileURL(file).href);
  module.flushCompileCache();
  process.stdout.write(`warm-compile-cache: ${files.length} modules (and what they import) cached in ${cache.directory}\n`);
  return 0;
}
