// The facts the Dockerfile states, checked without building it (fast, and before the build fails for
// a subtler reason): versions against the lock file, the browser against what the tests install, the
// user, init, cache, port, health check, volume and .dockerignore. test/image/image.test.ts builds the
// image with podman and runs it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
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
  it('builds on debian:bookworm-slim, with the Node the tests run: node-linux-<arch> at the version package-lock.json pins for the `node` devDependency', () => {
    const bases = all('FROM').map((f) => f.args.split(/\s+/)[0]);
    const stages = new Set(
      all('FROM')
        .map((f) => /\bAS\s+(\S+)$/i.exec(f.args)?.[1])
        .filter(Boolean),
    );
    for (const base of bases) assert.ok(base === 'debian:bookworm-slim' || stages.has(base), `FROM ${base}: Debian, or a stage of this file`);
    const nodeVersion = /^NODE_VERSION=(\S+)$/.exec(all('ARG').find((a) => a.args.startsWith('NODE_VERSION='))?.args ?? '')?.[1];
    assert.equal(nodeVersion, lock.packages['node_modules/node']?.version, 'ARG NODE_VERSION = the locked `node` devDependency');
    assert.ok(
      all('RUN').some((r) => r.args.includes('registry.npmjs.org/node-linux-$arch/-/node-linux-$arch-$NODE_VERSION.tgz')),
      'Node comes from the npm registry',
    );
    assert.ok(
      all('RUN').some((r) => /process\.version !== 'v\$NODE_VERSION'/.test(r.args)),
      'the build checks the Node it installed',
    );
  });

  it("installs the browser the tests use: Debian's chromium-headless-shell, which .ci/run installs too", () => {
    const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    assert.match(ci, /apt_packages=\([^)]*\bchromium-headless-shell\b/);
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf(last('FROM')));
    assert.ok(
      lastStage.some((i) => i.op === 'RUN' && /apt-get install[^&]*--no-install-recommends[^&]*\bchromium-headless-shell\b/.test(i.args)),
      'the final stage installs it',
    );
    assert.ok(
      lastStage.some((i) => i.op === 'RUN' && /apt-get install[^&]*\bfonts-liberation\b/.test(i.args)),
      'with fonts for real pages',
    );
    assert.ok(
      lastStage.some((i) => i.op === 'RUN' && /apt-get clean[^&]*&& rm -rf \/var\/lib\/apt\/lists/.test(i.args)),
      "apt's caches leave in the same layer",
    );
  });

  it('labels the image with its version, revision and source (build arguments)', () => {
    const labels = all('LABEL')
      .map((l) => l.args)
      .join(' ');
    for (const key of ['version', 'revision', 'source']) assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${key}="\\$${key.toUpperCase()}"`));
    assert.ok(
      all('RUN').some((r) => /\$VERSION[^&]*\$REVISION[^&]*> \/app\/build-info\.json/.test(r.args)),
      'the same values reach vigil --version (build-info.json)',
    );
  });

  it('installs production dependencies only, from the lock file', () => {
    assert.ok(
      all('RUN').some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r.args)),
      'a RUN with npm ci --omit=dev',
    );
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
    assert.ok(
      all('RUN').some((r) => new RegExp(`apt-get install[^&]*\\b${init}\\b`).test(r.args)),
      `${init} is installed in the image`,
    );
    const script = e.find((a) => a.startsWith('/app/'));
    assert.ok(script, `ENTRYPOINT runs a script: ${JSON.stringify(e)}`);
    assert.equal(repoPathOf(script), path.normalize(pkg.bin.vigil), 'ENTRYPOINT script = package.json bin.vigil');
    // The launcher runs itself: its shebang holds the Node flags, written nowhere else.
    assert.deepEqual(e.slice(e.indexOf('--') + 1), [script]);
    assert.ok(launcherFlags().length > 0, 'the shebang carries the flags');
    assert.ok(existsSync(path.join(repoRoot, repoPathOf(script))));
    assert.ok(
      all('COPY').some((c) => /^src\/? +src\/?$/.test(c.args)) && last('WORKDIR') && all('WORKDIR').some((w) => w.args === '/app'),
      'src/ is copied to /app/src',
    );
    assert.deepEqual(cmd().slice(0, 1), ['serve']);
  });

  it('fills the compile cache at build time, as the user and with the Node flags that run vigil', () => {
    const env = imageEnvironment();
    const cacheDir = env.NODE_COMPILE_CACHE;
    assert.ok(cacheDir?.startsWith('/'), 'ENV NODE_COMPILE_CACHE names a folder in the image');
    const user = last('USER').args.split(':')[0];
    assert.ok(
      all('RUN').some((r) => new RegExp(`chown [^&]*${user}[^&]* ${cacheDir}( |$)`).test(r.args)),
      `${user} owns ${cacheDir}`,
    );
    const warm = warmUpCommand();
    const userAt = dockerfile.lastIndexOf(last('USER'));
    assert.ok(dockerfile.indexOf(warm.instruction) > userAt, 'the warm-up runs after USER: the cache folder Node picks is named after the uid');
    assert.equal(
      repoPathOf(warm.argv[0]),
      path.normalize(pkg.bin.vigil),
      'the warm-up executes the launcher, so it runs with its Node flags (part of the cache key)',
    );
    assert.ok(!warm.argv.includes('node'), 'no Node flags repeated here');
  });

  it('exposes the port the start command listens on, on all interfaces', () => {
    const c = cmd();
    assert.equal(c[c.indexOf('--listen') + 1], `0.0.0.0:${listenPort()}`);
    assert.deepEqual(
      all('EXPOSE').map((e) => e.args),
      [String(listenPort())],
    );
  });

  it('has a HEALTHCHECK asking /healthz on that port, with node (no curl in the image)', () => {
    const hc = last('HEALTHCHECK');
    assert.ok(hc.exec, 'HEALTHCHECK CMD uses the exec form');
    assert.equal(hc.exec[0], 'node');
    assert.ok(
      hc.exec.some((a) => a.includes(`http://127.0.0.1:${listenPort()}/healthz`)),
      JSON.stringify(hc.exec),
    );
  });

  it('keeps data in a /data volume, the working directory', () => {
    assert.ok(all('VOLUME').some((v) => v.args.includes('/data')));
    assert.equal(last('WORKDIR').args, '/data');
    const user = last('USER').args.split(':')[0];
    assert.ok(
      all('RUN').some((r) => new RegExp(`chown [^&]*${user}[^&]* /data`).test(r.args)),
      'the non-root user owns /data',
    );
  });

  it('.dockerignore keeps node_modules, data and local state out, and everything COPY needs in', () => {
    for (const p of [
      'node_modules',
      'node_modules/pino/package.json',
      'suites/demo/node_modules/x',
      'data/vigil.db',
      'data',
      'test-results',
      'suites/demo/test-results/a.png',
      '.git/HEAD',
      'x.db',
    ]) {
      assert.ok(ignoredBy(dockerignore, p), `${p} is ignored`);
    }
    // From the build context, not from another stage (COPY --from=…).
    const sources = all('COPY')
      .filter((c) => !c.args.startsWith('--from='))
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1))
      .filter((s) => !s.startsWith('--'));
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
