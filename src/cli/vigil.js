#!/usr/bin/env -S node --expose-gc --no-opt --no-maglev
// The `vigil` command: package.json `bin` and `start`, the image's ENTRYPOINT and its compile-cache
// warm-up all execute this file, so its shebang is the one place the Node flags are written
// (test/operability/launcher.test.ts and dockerfile.test.ts check nobody repeats them).
// It switches Node's compile cache on before any TypeScript is loaded, then runs the CLI, or, with
// `--warm-compile-cache [files…]` (the image build step), fills the cache without running anything.
// --expose-gc: `vigil serve` collects its start-up garbage once before it idles (src/cli/commands/serve.ts).
// --no-opt --no-maglev: no optimising compilers. Vigil's own JavaScript is glue around child processes,
// SQLite and cached strings; the compilers cost an idle `vigil serve` ~10 MB (their code pages and
// what they compile) and save it next to nothing (docs/architecture.md, "Start-up and memory").
// Playwright and the browsers run in their own processes, with Node's defaults.
// The flags are part of the compile cache's key, so a cache warmed with other flags is not used.
import { enableCompileCache } from './compile-cache.js';

const cache = enableCompileCache();
if (process.argv[2] === '--warm-compile-cache') {
  const { warmCompileCache } = await import('./warm-compile-cache.js');
  process.exit(await warmCompileCache(cache, process.argv.slice(3)));
}
const { main } = await import('./vigil.ts');
// Exit explicitly: a provisioner module or a stray timer must not keep a finished one-shot alive.
process.exit(await main(process.argv));
