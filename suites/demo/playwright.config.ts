import { defineConfig, devices } from '@playwright/test';

// The demo app's own suite. It knows nothing about Vigil: it reads the app's address from BASE_URL and
// the tenant's credentials from VIGIL_TENANT_EMAIL / VIGIL_TENANT_PASSWORD (see tests/tenant.ts).

const chromiumPath = process.env.CHROMIUM_PATH;
// A system Chromium (root, no network) needs these; Playwright's bundled browser does not.
const systemChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // The app answers in milliseconds: a hanging page should fail in seconds, not minutes.
  timeout: 20_000,
  expect: { timeout: 5_000 },
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  workers: 1,
  reporter: 'list',
  use: {
    baseURL: process.env.BASE_URL,
    actionTimeout: 5_000,
    navigationTimeout: 10_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumPath ? { executablePath: chromiumPath, args: systemChromiumArgs } : {},
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts$/ },
    { name: 'chromium', use: { ...devices['Desktop Chrome'] }, dependencies: ['setup'] },
  ],
});
