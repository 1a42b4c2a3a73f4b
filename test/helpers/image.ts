// Test support for the container image: podman (as ../shared/reference/container-facts.md sets it up:
// runc, cgroupfs, host network), the base image made with mmdebstrap when it cannot be pulled, one
// build of the repository's Dockerfile per test process, and containers started and removed for real.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './vigil-cli.ts';

export const IMAGE = 'localhost/vigil:test';
export const BASE_IMAGE = 'docker.io/library/debian:bookworm-slim';
/** The host's CA bundle, handed to builds as a secret (a TLS-inspecting proxy's CA is in it here). */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs podman with a bounded time; never rejects. */
export function podman(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Exec> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('podman', args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${err.message}`, ms: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // podman (without systemd) complains about healthcheck timers on every run; that is not the test's output.
      const clean = stderr
        .split('\n')
        .filter((l) => !/unable to get systemd connection/.test(l))
        .join('\n');
      resolve({ code, stdout, stderr: clean, ms: Date.now() - started });
    });
  });
}

/** Why podman cannot run containers here, or undefined. */
export function podmanProblem(): string | undefined {
  const version = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'podman is not installed';
  const info = spawnSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { encoding: 'utf8', timeout: 30_000 });
  if (info.status !== 0) return `podman does not work here: ${(info.stderr ?? '').trim().slice(0, 300)} (see .ci/run for /etc/containers/containers.conf)`;
  return undefined;
}

export const packageVersion = (): string => (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
/** The version of a Debian package installed here (the image installs the same one). */
export function hostPackageVersion(name: string): string {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' });
  if (out.status !== 0 || !out.stdout.trim()) throw new Error(`${name} is not installed here: apt-get install ${name}`);
  return out.stdout.trim();
}

export const gitRevision = (): string => spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();

export const secretArgs = (): string[] => (existsSync(CA_BUNDLE) ? ['--secret', `id=ca,src=${CA_BUNDLE}`] : []);

let built: Promise<Exec> | undefined;

/**
 * Builds the repository's Dockerfile as IMAGE once per process (podman's layer cache makes a rebuild of
 * an unchanged tree quick), after making the base image with .ci/base-image when it is missing.
 */
export function buildImage(): Promise<Exec> {
  built ??= (async () => {
    const base = spawnSync('bash', [path.join(repoRoot, '.ci/base-image')], { encoding: 'utf8', timeout: 600_000 });
    if (base.status !== 0) return { code: base.status, stdout: base.stdout, stderr: `.ci/base-image failed: ${base.stderr}`, ms: 0 };
    return podman(
      [
        'build',
        '--pull=never',
        '--format',
        'docker',
        ...secretArgs(),
        '--build-arg',
        `VERSION=${packageVersion()}`,
        '--build-arg',
        `REVISION=${gitRevision()}`,
        // Ship what you test: the browser the tests here ran (and .ci/run keeps the newest Debian has).
        '--build-arg',
        `CHROMIUM_VERSION=${hostPackageVersion('chromium-headless-shell')}`,
        '-t',
        IMAGE,
        repoRoot,
      ],
      { timeoutMs: 900_000 },
    );
  })();
  return built;
}

/** Polls until `probe` returns a value; fails with `why()` after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, why: () => string | Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(await why());
    await sleep(250);
  }
}

export async function removeContainer(name: string): Promise<void> {
  await podman(['rm', '-f', '-t', '0', name], { timeoutMs: 60_000 });
}
