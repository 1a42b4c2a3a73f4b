// A real `vigil serve` child against the in-process demo app, with suites from test/fixtures/quick-suite
// (no browser, ~1 s a run) unless a test brings its own.
import { createApiClient } from '../../src/api/client.ts';
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { E2E } from '../helpers/e2e-setup.ts';
import { repoRoot, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

export const quickSuiteDir = path.join(repoRoot, 'test/fixtures/quick-suite');

/** YAML for one quick suite under `suites:`. */
export function quickSuite(name: string, o: { schedule?: string; sleepMs?: number; fail?: boolean; timeout?: string } = {}): string {
  return `
  ${name}:
    path: ${quickSuiteDir}
    environments: [local]
    timeout: ${o.timeout ?? '1m'}
${o.schedule ? `    schedule: "${o.schedule}"\n` : ''}    env: { QUICK_SLEEP_MS: "${o.sleepMs ?? 0}", QUICK_FAIL: "${o.fail ? 1 : 0}" }`;
}

export const newToken = () => `tok-${randomBytes(18).toString('base64url')}`;

/** Writes the config (suites YAML + api block) into the E2E dir. */
export async function writeServeConfig(e: E2E, suites: string, api: Record<string, string | number> = {}): Promise<void> {
  await e.writeConfig({ suite: suites });
  const lines = Object.entries(api).map(([k, v]) => `  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  if (lines.length) await appendFile(e.configFile, `api:\n${lines.join('\n')}\n`);
}

export interface Served {
  url: string;
  child: ReturnType<typeof spawnVigil>;
  /** Everything the server logged so far (JSON lines). */
  log(): string;
  stop(): Promise<Awaited<ReturnType<typeof spawnVigil>['done']>>;
}

export async function startServe(e: E2E, opts: { token?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const child = spawnVigil(['serve', '--config', e.configFile, '--listen', '127.0.0.1:0', ...(opts.args ?? [])], {
    env: { ...e.env, VIGIL_LOG_FORMAT: 'json', VIGIL_API_TOKEN: opts.token, ...opts.env },
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer | string) => (log += d.toString()));
  const out = await waitForOutput(child, 'stderr', (t) => /"msg":"vigil serving"/.test(t), 30_000).catch(async (err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)![1];
  return {
    url,
    child,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      try {
        return await child.done;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/** Polls `probe` until it returns something (bounded in count and time). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / everyMs) + 1; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The value of one series in Prometheus text, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

export interface Answer {
  status: number;
  type: string;
  json: Record<string, unknown>;
}

/** One request through Vigil's own API client; the body parsed as JSON (or {} when it is not). */
export async function ask(url: string, init: { method?: string; token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const { origin, pathname, search } = new URL(url);
  return createApiClient({ server: origin }).request(init.method ?? 'GET', pathname + search, { body: init.body, token: init.token, headers: init.headers });
}
