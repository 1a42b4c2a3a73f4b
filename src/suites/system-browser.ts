// Playwright's own browsers are the default (the container image has them; since Playwright 1.49 it runs
// headless projects on its chromium-headless-shell by itself). Where they are missing — a machine that
// cannot download them — Vigil falls back to the system's Chromium rather than failing every run, and
// says so once in the log. There, too, headless projects get Chromium's headless shell when the system
// has one (Debian: chromium-headless-shell): it starts in about a third of the time and holds less
// memory; a headed project (use.headless: false) needs the full browser. npm run bench has the figures.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { SuiteBrowser } from './types.ts';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
// The binary itself first: Debian's /usr/bin/chromium-headless-shell is a shell script that runs it
// without exec, one more process per browser for nothing (the full browser's script adds flags, so it stays).
const SYSTEM_HEADLESS_SHELL = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell'];

// The system Chromium runs as whatever user Vigil is (root in some containers needs --no-sandbox), and
// on a closed network its background services only produce refused connections.
export const SYSTEM_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let fallback: SuiteBrowser | null | undefined;

/**
 * The configured browser; else, when Playwright's bundled Chromium is absent, the system one (its
 * headless shell for headless projects where installed). A configured `executablePath` is used for
 * every project unless `headlessExecutablePath` is configured too.
 */
export function resolveBrowser(configured: SuiteBrowser = {}): { browser: SuiteBrowser; fellBack: boolean } {
  if (configured.executablePath) return { browser: configured, fellBack: false };
  fallback ??= systemBrowser();
  if (!fallback) return { browser: configured, fellBack: false };
  return {
    browser: {
      ...fallback,
      ...(configured.headlessExecutablePath ? { headlessExecutablePath: configured.headlessExecutablePath } : {}),
      args: [...(fallback.args ?? []), ...(configured.args ?? [])],
    },
    fellBack: true,
  };
}

function systemBrowser(): SuiteBrowser | null {
  if (bundledChromiumInstalled()) return null;
  const full = SYSTEM_CHROMIUM.find((p) => existsSync(p));
  const shell = SYSTEM_HEADLESS_SHELL.find((p) => existsSync(p));
  if (!full && !shell) return null;
  // Only the shell: headed projects get it too (and run headless); Playwright has nothing better to offer.
  return { executablePath: full ?? shell, ...(shell ? { headlessExecutablePath: shell } : {}), args: SYSTEM_CHROMIUM_ARGS };
}

// Asks playwright-core's browsers.json which Chromium revision it wants and whether that folder exists,
// instead of importing Playwright (which costs a one-shot `vigil run` about half a second).
function bundledChromiumInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const core = path.dirname(require.resolve('playwright-core/package.json'));
    const { browsers } = JSON.parse(readFileSync(path.join(core, 'browsers.json'), 'utf8')) as { browsers: Array<{ name: string; revision: string }> };
    const envPath = process.env.PLAYWRIGHT_BROWSERS_PATH;
    const root = envPath === '0' ? path.join(core, '.local-browsers') : envPath || path.join(os.homedir(), '.cache/ms-playwright');
    return browsers
      .filter((b) => b.name === 'chromium' || b.name === 'chromium-headless-shell')
      .some((b) => existsSync(path.join(root, `${b.name.replaceAll('-', '_')}-${b.revision}`)));
  } catch {
    return false;
  }
}
