// Test support: small Playwright projects written to a temp folder inside the repo (so they resolve
// the repo's @playwright/test), a tiny app on 127.0.0.1:0, and /proc scans for leftover processes.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { runSuite } from '../../src/suites/index.ts';
import { resolveBrowser } from '../../src/suites/system-browser.ts';
import type { RunSuiteOptions, SuiteEvent, SuiteOutcome } from '../../src/suites/index.ts';
import type { Log } from '../../src/shared/log.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Playwright's own Chromium where installed, else the system one: the tests do not care which. */
export const CHROMIUM = resolveBrowser({}).browser;

export interface InlineProject {
  root: string; // temp root: holds `app/` (the suite) and `out/` (Vigil's output dir)
  dir: string;
  outputDir: string;
  marker: string;
  cleanup(): void;
}

export function writeProject(files: Record<string, string>): InlineProject {
  const base = path.join(repoRoot, '.vigil-tmp');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(path.join(base, 'suite-'));
  const dir = path.join(root, 'app');
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return {
    root,
    dir,
    outputDir: path.join(root, 'out'),
    marker: randomBytes(8).toString('hex'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface App {
  baseURL: string;
  close(): Promise<void>;
}

/** `/` shows <h1>Hello</h1>; `/title/<text>` shows <h1><text></h1>. */
export async function startApp(): Promise<App> {
  const server = http.createServer((req, res) => {
    const title = req.url?.startsWith('/title/') ? decodeURIComponent(req.url.slice(7)) : 'Hello';
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>app</title><h1>${title.replace(/[<&]/g, '')}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const quietLog = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  const record = (...args: unknown[]) => void lines.push(JSON.stringify(args));
  return { lines, debug: record, info: record, warn: record, error: record } as unknown as Log & { lines: string[] };
};

export async function run(project: InlineProject, app: App, extra: Partial<RunSuiteOptions> = {}): Promise<SuiteOutcome & { events: SuiteEvent[] }> {
  const events: SuiteEvent[] = [];
  const outcome = await runSuite({
    suiteDir: project.dir,
    baseURL: app.baseURL,
    env: { VIGIL_TEST_MARKER: project.marker, ...extra.env },
    outputDir: project.outputDir,
    timeoutMs: 60_000,
    browser: CHROMIUM,
    log: quietLog(),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { ...outcome, events };
}

/** Live processes whose environment carries `VIGIL_TEST_MARKER=<marker>`, with their command lines. */
export function markedProcesses(marker: string): string[] {
  const needle = `VIGIL_TEST_MARKER=${marker}\0`;
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = `${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && (environ.includes(needle) || cmdline.includes(marker))) {
        found.push(`${name}: ${cmdline.replace(/\0/g, ' ').slice(0, 120)}`);
      }
    } catch {
      // process ended while we looked
    }
  }
  return found;
}

export const SPEC_HELLO = `
import { test, expect } from '@playwright/test';
test('shows hello', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Hello');
});
`;
