#!/usr/bin/env -S node --expose-gc
// The `vigil` command: package.json `bin` and `start`, and the image's ENTRYPOINT all run this file,
// with the same Node flags (test/operability/launcher.test.ts checks that they agree).
// It switches Node's compile cache on before any TypeScript is loaded, then runs the CLI.
// --expose-gc: `vigil serve` collects its start-up garbage once before it idles (src/cli/commands/serve.ts).
// The flags are part of the compile cache's key, so a cache warmed with other flags is not used.
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
const { main } = await import('./vigil.ts');
// Exit explicitly: a provisioner module or a stray timer must not keep a finished one-shot alive.
process.exit(await main(process.argv));
