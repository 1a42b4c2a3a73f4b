// Fills the compile cache for every module of Vigil without running anything, so that the first
// `vigil serve` already finds it warm. The image build runs it (Dockerfile); a derived image that adds
// TypeScript loaded in-process (a `kind: module` tenant provisioner) passes those files as arguments:
//   node --expose-gc --no-opt --no-maglev /app/src/cli/warm-compile-cache.js /etc/vigil/tenants/shop.ts
// Run it with the Node flags of src/cli/vigil.js and as the user that runs Vigil: both are part of the
// cache's key (the directory Node picks is named after the V8 flags and the uid).
// Prints how many modules it loaded and where the cache is; exits 1 if the cache is off.
import { globSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { enableCompileCache } from './compile-cache.js';

const root = path.resolve(import.meta.dirname, '../..');
// Importing runs nothing: src/cli/vigil.ts only runs the command line as the main module. demo/app.ts
// runs in-process when there is no config, which is what the image does by default.
const own = globSync('src/**/*.ts', { cwd: root }).map((f) => f.split(path.sep).join('/'));
const files = [...[...own, 'demo/app.ts'].sort().map((f) => path.join(root, f)), ...process.argv.slice(2).map((f) => path.resolve(f))];

const cache = enableCompileCache();
if (!cache.enabled) {
  process.stderr.write(`warm-compile-cache: the compile cache is off: ${cache.message ?? 'NODE_DISABLE_COMPILE_CACHE is set'}\n`);
  process.exit(1);
}
for (const file of files) await import(pathToFileURL(file).href);
module.flushCompileCache();
process.stdout.write(`warm-compile-cache: ${files.length} modules (and what they import) cached in ${cache.directory}\n`);
