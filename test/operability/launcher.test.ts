// The `vigil` command is src/cli/vigil.js: plain JavaScript that switches Node's compile cache on
// before any TypeScript loads, then runs the CLI (docs/architecture.md, "Start-up and memory").
// These specs run it as package.json `bin` does — executed through its shebang — with a cache
// directory of their own.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launcher, launcherFlags } from '../helpers/launcher.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let config: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-launcher-'));
  config = path.join(dir, 'vigil.yaml');
  // Two suites scheduled once a year: `vigil serve` starts and idles; nothing runs.
  await writeFile(
    config,
    `store: ${path.join(dir, 'vigil.db')}
artifacts: { dir: ${path.join(dir, 'artifacts')} }
environments:
  staging: { baseURL: "http://127.0.0.1:9", tenants: idle }
tenants:
  idle:
    kind: command
    create: { command: ["true"] }
    delete: { command: ["true"] }
suites:
  checkout: { path: ${path.join(repoRoot, 'test/fixtures/quick-suite')}, environments: [staging], schedule: "0 0 1 1 *" }
  search: { path: ${path.join(repoRoot, 'test/fixtures/quick-suite')}, environments: [staging], schedule: "0 0 1 1 *" }
`,
  );
  // Reports, on SIGUSR2, what the process has loaded: Node's TypeScript stripper (amaro, swc built to
  // WebAssembly: loaded when a .ts file has to be transpiled, not when the compile cache has the
  // result), Node's fetch (undici), pino-pretty and pg (a SQLite store needs no PostgreSQL driver).
  await writeFile(
    path.join(dir, 'probe.mjs'),
    `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('SIGUSR2', () => {
  const loaded = {
    typescript: process.moduleLoadList.includes('NativeModule internal/deps/amaro/dist/index'),
    undici: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici'),
    pinoPretty: Object.keys(cache).some((f) => f.includes('/node_modules/pino-pretty/')),
    pg: Object.keys(cache).some((f) => f.includes('/node_modules/pg/')),
  };
  process.stderr.write('probe: ' + JSON.stringify(loaded) + '\\n');
});
`,
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment of a launcher run: this Node first on PATH (the shebang's `env node` finds it). */
function launcherEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: undefined,
    VIGIL_CONFIG: undefined,
    NODE_COMPILE_CACHE: undefined,
    NODE_DISABLE_COMPILE_CACHE: undefined,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    ...env,
  };
}

function runLauncher(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(launcher, args, { cwd: dir, env: launcherEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** Files under `root` (the compile cache keeps one per module, in a folder per Node version, flags and user). */
function cacheFiles(root: string): number {
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true }).filter((f) => statSync(path.join(root, String(f))).isFile()).length;
}

interface Loaded {
  typescript: boolean;
  undici: boolean;
  pinoPretty: boolean;
  pg: boolean;
}

/**
 * Starts `vigil serve` through the launcher with the probe, waits for 'vigil serving', asks the probe
 * what is loaded, and kills the process with SIGKILL: no exit handler runs, so whatever the cache
 * holds afterwards was written during start-up.
 */
async function serveOnce(compileCache: string): Promise<Loaded> {
  const child = spawn(launcher, ['serve', '--config', config, '--listen', '127.0.0.1:0'], {
    cwd: dir,
    env: launcherEnv({ NODE_COMPILE_CACHE: compileCache, NODE_OPTIONS: `--import=${path.join(dir, 'probe.mjs')}`, VIGIL_LOG_FORMAT: 'json' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  try {
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('"msg":"vigil serving"')) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `vigil serve did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGUSR2');
    let answer: RegExpExecArray | null;
    while (!(answer = /^probe: (\{.*\})$/m.exec(stderr))) {
      assert.ok(Date.now() < deadline, `no probe answer:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return JSON.parse(answer[1]) as Loaded;
  } finally {
    child.kill('SIGKILL');
    await closed;
  }
}

describe('the vigil launcher (src/cli/vigil.js)', () => {
  it('is package.json bin, an executable file, and `npm start` executes it, so its shebang is the one place of the Node flags', () => {
    assert.equal(pkg.bin.vigil, './src/cli/vigil.js');
    assert.ok(statSync(launcher).mode & 0o111, 'src/cli/vigil.js is executable (npm and the image run it directly)');
    assert.ok(launcherFlags().includes('--expose-gc'), 'the shebang carries the flags');
    assert.equal(pkg.scripts.start, 'src/cli/vigil.js serve');
  });

  it('runs the command line and fills the compile cache given by NODE_COMPILE_CACHE', async () => {
    const cache = path.join(dir, 'cache-env');
    const first = await runLauncher(['config', 'check', '--config', config], { NODE_COMPILE_CACHE: cache });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /checkout/);
    assert.ok(cacheFiles(cache) > 10, `cache entries in ${cache}: ${cacheFiles(cache)}`);
    const second = await runLauncher(['config', 'check', '--config', config], { NODE_COMPILE_CACHE: cache });
    assert.deepEqual({ code: second.code, stdout: second.stdout, stderr: second.stderr }, { code: 0, stdout: first.stdout, stderr: first.stderr });
  });

  it('without NODE_COMPILE_CACHE keeps the cache in $XDG_CACHE_HOME/vigil/compile-cache', async () => {
    const xdg = path.join(dir, 'xdg');
    const r = await runLauncher(['config', 'check', '--config', config], { XDG_CACHE_HOME: xdg });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(cacheFiles(path.join(xdg, 'vigil', 'compile-cache')) > 10);
  });

  it('a cache directory that cannot be created, or a cache turned off, changes nothing but the cache', async () => {
    const expected = await runLauncher(['config', 'check', '--config', config], { NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: path.join(dir, 'xdg-off') });
    assert.equal(expected.code, 0, expected.stderr);
    assert.equal(cacheFiles(path.join(dir, 'xdg-off')), 0, 'NODE_DISABLE_COMPILE_CACHE=1 writes no cache');
    // A regular file where a folder should be: no user, root included, can create the cache there.
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    for (const env of [{ NODE_COMPILE_CACHE: path.join(file, 'cache') }, { XDG_CACHE_HOME: path.join(file, 'xdg') }]) {
      const r = await runLauncher(['config', 'check', '--config', config], env);
      assert.deepEqual(
        { code: r.code, stdout: r.stdout, stderr: r.stderr },
        { code: 0, stdout: expected.stdout, stderr: expected.stderr },
        JSON.stringify(env),
      );
    }
    const bad = await runLauncher(['config', 'check', '--config', path.join(dir, 'missing.yaml')], { NODE_COMPILE_CACHE: path.join(file, 'cache') });
    assert.equal(bad.code, 3, 'a config error is still exit 3');
    assert.match(bad.stderr, /missing\.yaml/);
  });

  it('vigil serve writes the cache during start-up: killed once, it starts again without transpiling TypeScript', async () => {
    const cache = path.join(dir, 'cache-serve');
    assert.equal((await serveOnce(cache)).typescript, true, 'control: with an empty cache the first start transpiles');
    assert.equal((await serveOnce(cache)).typescript, false, 'the restart found every module in the cache, though the first start was killed');
  });

  it('after warm-compile-cache (the image build step) the first vigil serve transpiles no TypeScript', async () => {
    const cache = path.join(dir, 'cache-warm');
    const warm = await runLauncher(['--warm-compile-cache'], { NODE_COMPILE_CACHE: cache });
    assert.equal(warm.code, 0, warm.stderr);
    assert.match(warm.stdout, /warm-compile-cache: \d+ modules .* cached in /);
    assert.equal((await serveOnce(cache)).typescript, false);
  });

  it('an idle vigil serve logging JSON on SQLite has loaded neither undici (an ESM import of node:http does that) nor pino-pretty nor pg', async () => {
    const loaded = await serveOnce(path.join(dir, 'cache-warm'));
    assert.deepEqual({ undici: loaded.undici, pinoPretty: loaded.pinoPretty, pg: loaded.pg }, { undici: false, pinoPretty: false, pg: false });
  });

  it('warm-compile-cache fails, naming why, when the cache is off', async () => {
    const { code, stderr } = await runLauncher(['--warm-compile-cache'], { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(code, 1);
    assert.match(stderr, /warm-compile-cache: the compile cache is off/);
  });
});
