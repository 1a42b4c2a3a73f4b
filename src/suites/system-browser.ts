// Playwright's own browsers are the default (the container image has them). Where they are missing —
// a machine that cannot download them — Vigil falls back to the system's Chromium rather than failing
// every run, and says so once in the log.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';
import type { SuiteBrowser } from './types.ts';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

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

/** The configured browser; else, when Playwright's bundled Chromium is absent, the system one. */
export function resolveBrowser(configured: SuiteBrowser = {}): { browser: SuiteBrowser; fellBack: boolean } {
  if (configured.executablePath) return { browser: configured, fellBack: false };
  if (fallback === undefined) {
    const bundled = safeExecutablePath();
    const system = SYSTEM_CHROMIUM.find((p) => existsSync(p));
    fallback = bundled && existsSync(bundled) ? null : system ? { executablePath: system, args: SYSTEM_CHROMIUM_ARGS } : null;
  }
  if (!fallback) return { browser: configured, fellBack: false };
  return { browser: { executablePath: fallback.executablePath, args: [...(fallback.args ?? []), ...(configured.args ?? [])] }, fellBack: true };
}

function safeExecutablePath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}
