// There is no Docker engine on our machines. What can be checked about the image without one is
// checked here: the facts the Dockerfile states, and its start command, run on this machine the way
// the container would run it (same arguments, same environment, an empty data directory, no config).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launcherFlags } from '../helpers/launcher.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

interface Instruction {
  op: string;
  args: string;
  /** The exec (JSON array) form, when the instruction used it. */
  exec?: string[];
}

/** Dockerfile → instructions, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw) && current === '') continue;
    if (/^\s*#/.test(raw)) continue; // a comment inside a continued instruction
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical.map((l) => {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    assert.ok(m, `unparsable Dockerfile line: ${l}`);
    const args = m[2].trim();
    const jsonPart = /(\[[\s\S]*\])\s*$/.exec(args)?.[1];
    let exec: string[] | undefined;
    if (jsonPart) {
      try {
        exec = JSON.parse(jsonPart) as string[];
      } catch {
        exec = undefined;
      }
    }
    return { op: m[1].toUpperCase(), args, exec };
  });
}

/** .dockerignore semantics (Go filepath.Match plus `**`, later `!` lines re-include). */
function ignoredBy(patterns: string[], file: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(
      `^${pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('')}$`,
    );
    // A pattern that matches a folder excludes everything in it.
    const parts = file.split('/');
    const hit = parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
    if (hit) ignored = !negate;
  }
  return ignored;
}

const dockerfile = parseDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };

const all = (op: string) => dockerfile.filter((i) => i.op === op);
const last = (op: string) => {
  const found = all(op);
  assert.ok(found.length > 0, `the Dockerfile has no ${op}`);
  return found.at(-1)!;
};
const entrypoint = () => {
  const e = last('ENTRYPOINT').exec;
  assert.ok(e, 'ENTRYPOINT uses the exec form, so signals reach the init process');
  return e;
};
const cmd = () => {
  const c = last('CMD').exec;
  assert.ok(c, 'CMD uses the exec form');
  return c;
};
const listenPort = () => {
  const c = cmd();
  const listen = c[c.indexOf('--listen') + 1];
  assert.ok(c.includes('--listen') && listen, `CMD ${JSON.stringify(c)} passes --listen host:port`);
  return Number(/:(\d+)$/.exec(listen)![1]);
};
/** ENV instructions, as the image's environment. */
const imageEnvironment = () => {
  const env: Record<string, string> = {};
  for (const e of all('ENV')) {
    for (const m of e.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
};
/** The RUN that fills the compile cache: `/app/src/cli/vigil.js --warm-compile-cache` (the launcher, so its flags). */
const warmUpCommand = () => {
  const instruction = all('RUN').find((r) => r.args.includes('--warm-compile-cache'));
  assert.ok(instruction, 'a RUN warms the compile cache (vigil.js --warm-compile-cache)');
  const argv = instruction.args.split(/\s+/);
  assert.ok(argv[0].startsWith('/app/') && argv[1] === '--warm-compile-cache', `RUN ${instruction.args}`);
  return { instruction, argv };
};
/** Where a path inside the image comes from in the repository, by the COPY instructions into /app. */
const repoPathOf = (imagePath: string) => {
  assert.ok(imagePath.startsWith('/app/'), `${imagePath} is under /app, where the Dockerfile copies Vigil`);
  return imagePath.slice('/app/'.length);
};

describe('Dockerfile facts', () => {
  it('is based on the Playwright image of the same version as @playwright/test in package-lock.json', () => {
    const from = last('FROM').args;
    const locked = lock.packages['node_modules/@playwright/test']?.version;
    assert.ok(locked, 'package-lock.json pins @playwright/test');
    assert.equal(from, `mcr.microsoft.com/playwright:v${locked}-noble`);
    assert.equal(lock.packages['node_modules/playwright']?.version, locked, 'playwright and @playwright/test are the same release');
  });

  it('installs production dependencies only, from the lock file', () => {
    assert.ok(all('RUN').some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r.args)), 'a RUN with npm ci --omit=dev');
    assert.ok(!all('RUN').some((r) => /\bnpm (install|i)\b/.test(r.args)), 'no npm install (it ignores the lock file)');
  });

  it('runs as a user that is not root', () => {
    const user = last('USER').args.split(':')[0];
    assert.ok(!['root', '0'].includes(user), `USER ${user}`);
  });

  it('starts vigil under an init process that it installs, with the package.json bin as the script and its Node flags', () => {
    const e = entrypoint();
    assert.match(e[0], /(^|\/)(tini|dumb-init)$/, `ENTRYPOINT starts with an init: ${JSON.stringify(e)}`);
    const init = path.basename(e[0]);
    assert.ok(all('RUN').some((r) => new RegExp(`apt-get install[^&]*\\b${init}\\b`).test(r.args)), `${init} is installed in the image`);
    const script = e.find((a) => a.startsWith('/app/'));
    assert.ok(script, `ENTRYPOINT runs a script: ${JSON.stringify(e)}`);
    assert.equal(repoPathOf(script), path.normalize(pkg.bin.vigil), 'ENTRYPOINT script = package.json bin.vigil');
    // The launcher runs itself: its shebang holds the Node flags, written nowhere else.
    assert.deepEqual(e.slice(e.indexOf('--') + 1), [script]);
    assert.ok(launcherFlags().length > 0, 'the shebang carries the flags');
    assert.ok(existsSync(path.join(repoRoot, repoPathOf(script))));
    assert.ok(all('COPY').some((c) => /^src\/? +src\/?$/.test(c.args)) && last('WORKDIR') && all('WORKDIR').some((w) => w.args === '/app'), 'src/ is copied to /app/src');
    assert.deepEqual(cmd().slice(0, 1), ['serve']);
  });

  it('fills the compile cache at build time, as the user and with the Node flags that run vigil', () => {
    const env = imageEnvironment();
    const cacheDir = env.NODE_COMPILE_CACHE;
    assert.ok(cacheDir?.startsWith('/'), 'ENV NODE_COMPILE_CACHE names a folder in the image');
    const user = last('USER').args.split(':')[0];
    assert.ok(all('RUN').some((r) => new RegExp(`chown [^&]*${user}[^&]* ${cacheDir}( |$)`).test(r.args)), `${user} owns ${cacheDir}`);
    const warm = warmUpCommand();
    const userAt = dockerfile.lastIndexOf(last('USER'));
    assert.ok(dockerfile.indexOf(warm.instruction) > userAt, 'the warm-up runs after USER: the cache folder Node picks is named after the uid');
    assert.equal(repoPathOf(warm.argv[0]), path.normalize(pkg.bin.vigil), 'the warm-up executes the launcher, so it runs with its Node flags (part of the cache key)');
    assert.ok(!warm.argv.includes('node'), 'no Node flags repeated here');
  });

  it('exposes the port the start command listens on, on all interfaces', () => {
    const c = cmd();
    assert.equal(c[c.indexOf('--listen') + 1], `0.0.0.0:${listenPort()}`);
    assert.deepEqual(all('EXPOSE').map((e) => e.args), [String(listenPort())]);
  });

  it('has a HEALTHCHECK asking /healthz on that port, with node (no curl in the image)', () => {
    const hc = last('HEALTHCHECK');
    assert.ok(hc.exec, 'HEALTHCHECK CMD uses the exec form');
    assert.equal(hc.exec[0], 'node');
    assert.ok(hc.exec.some((a) => a.includes(`http://127.0.0.1:${listenPort()}/healthz`)), JSON.stringify(hc.exec));
  });

  it('keeps data in a /data volume, the working directory', () => {
    assert.ok(all('VOLUME').some((v) => v.args.includes('/data')));
    assert.equal(last('WORKDIR').args, '/data');
    assert.ok(all('RUN').some((r) => /chown [^&]*pwuser[^&]* \/data/.test(r.args)), 'the non-root user owns /data');
  });

  it('.dockerignore keeps node_modules, data and local state out, and everything COPY needs in', () => {
    for (const p of ['node_modules', 'node_modules/pino/package.json', 'suites/demo/node_modules/x', 'data/vigil.db', 'data', 'test-results', 'suites/demo/test-results/a.png', '.git/HEAD', 'x.db']) {
      assert.ok(ignoredBy(dockerignore, p), `${p} is ignored`);
    }
    const sources = all('COPY').flatMap((c) => c.args.split(/\s+/).slice(0, -1)).filter((s) => !s.startsWith('--'));
    assert.ok(sources.length >= 3);
    for (const source of sources) {
      const rel = source.replace(/\/$/, '');
      assert.ok(existsSync(path.join(repoRoot, rel)), `COPY source ${source} exists`);
      assert.ok(!ignoredBy(dockerignore, rel), `COPY source ${source} is not in .dockerignore`);
    }
    for (const needed of [pkg.bin.vigil.replace(/^\.\//, ''), 'demo/app.ts', 'suites/demo/playwright.config.ts', 'package-lock.json']) {
      assert.ok(!ignoredBy(dockerignore, needed), `${needed} reaches the image`);
    }
  });
});

describe("the image's start command, run here", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-image-data-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** ENTRYPOINT + CMD with this machine's paths: /app → the repository, node → this Node. */
  function startCommand(listen: string): string[] {
    let argv = [...entrypoint(), ...cmd()];
    // tini is in the image; on a machine without it, run what it would start.
    if (/(^|\/)tini$/.test(argv[0]) && !existsSync(argv[0])) argv = argv.slice(argv.indexOf('--') + 1);
    return argv.map((a, i) => {
      if (a === 'node') return process.execPath;
      if (a.startsWith('/app/')) return path.join(repoRoot, repoPathOf(a));
      if (argv[i - 1] === '--listen') return listen;
      return a;
    });
  }

  /** The image's ENV; its compile cache folder becomes one of this test's. */
  function imageEnv(): NodeJS.ProcessEnv {
    // The image's `node` is found on PATH by the launcher's `#!/usr/bin/env -S node …`: here, this Node.
    const PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PATH, CI: undefined, VIGIL_CONFIG: undefined, VIGIL_LOG_LEVEL: undefined, ...imageEnvironment() };
    if (env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE = path.join(dataDir, '.compile-cache');
    return env;
  }

  /** The build's RUN that warms the compile cache, with this machine's paths. */
  function warmUp(): { status: number | null; output: string } {
    const argv = warmUpCommand().argv.map((a) => (a === 'node' ? process.execPath : a.startsWith('/app/') ? path.join(repoRoot, repoPathOf(a)) : a));
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dataDir, env: imageEnv(), encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  function healthcheck(port: number): { status: number | null; output: string } {
    const argv = last('HEALTHCHECK').exec!.map((a) => a.replaceAll(`:${listenPort()}/`, `:${port}/`));
    const r = spawnSync(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), { encoding: 'utf8', timeout: 15_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('warms the compile cache the way the build does, then serves /healthz, runs the bundled demo into the data dir, passes its HEALTHCHECK, and exits 0 on SIGTERM', async () => {
    const warm = warmUp();
    assert.equal(warm.status, 0, `the build's warm-up failed: ${warm.output}`);
    assert.match(warm.output, /warm-compile-cache: \d+ modules/);
    const argv = startCommand('127.0.0.1:0');
    const child = spawn(argv[0], argv.slice(1), { cwd: dataDir, env: imageEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    try {
      // The image logs JSON (VIGIL_LOG_FORMAT=json): the address is in the 'vigil serving' line.
      const url = await until(() => {
        for (const line of stderr.split('\n')) {
          if (!line.startsWith('{')) continue;
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'vigil serving' && entry.url) return entry.url;
        }
        return undefined;
      }, 60_000, () => `no 'vigil serving' log line; output so far:\n${stderr}`);
      const port = Number(new URL(url).port);

      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal((await health.text()).trim(), 'ok');

      const hc = healthcheck(port);
      assert.equal(hc.status, 0, `HEALTHCHECK command failed: ${hc.output}`);

      // With no config the image runs the demo once at start-up: the browser, the tenant and the store
      // all work under the image's start command, and the store lands in the working (data) directory.
      const runs = await until(async () => {
        const body = (await (await fetch(`${url}/api/runs`)).json()) as { runs: Array<{ status: string; errorMessage?: string }> };
        return body.runs.length > 0 ? body.runs : undefined;
      }, 150_000, () => `the demo run did not finish; output so far:\n${stderr.slice(-3000)}`);
      assert.ok(['passed', 'flaky'].includes(runs[0].status), `demo run ${runs[0].status}: ${runs[0].errorMessage ?? ''}\n${stderr.slice(-3000)}`);
      assert.ok(existsSync(path.join(dataDir, 'data', 'vigil.db')), 'store under the working directory (/data in the image)');

      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const end = await exited;
      clearTimeout(timer);
      assert.deepEqual(end, { code: 0, signal: null }, `exit after SIGTERM; output:\n${stderr.slice(-2000)}`);

      // The same HEALTHCHECK reports a dead server, so the check above could have failed.
      assert.equal(healthcheck(port).status, 1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});

/** Polls `probe` every 250 ms until it returns a value; fails after `timeoutMs` with `why()`. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, why: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < timeoutMs / 250 + 1; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(why());
}
