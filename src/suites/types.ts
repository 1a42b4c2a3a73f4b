import type { Log } from '../shared/log.ts';
import type { TestCounts, TestFailure, TestResult } from '../core/index.ts';
import type { SharedBrowsers } from './shared-browser.ts';

export interface SuiteBrowser {
  executablePath?: string;
  /** For headless Chromium projects (Chromium's headless shell); `executablePath` is for headed ones. */
  headlessExecutablePath?: string;
  /** Appended to the suite's own launch args (e.g. flags an old Playwright needs for a newer Chromium). */
  args?: string[];
}

export interface RunSuiteOptions {
  /** Folder holding the app's Playwright project; the child runs with this cwd. */
  suiteDir: string;
  /** Their config, absolute or relative to suiteDir; found in suiteDir when absent. */
  configFile?: string;
  baseURL: string;
  /** Extra variables for the suite process (tenant fields, suite env); applied last. */
  env: Record<string, string>;
  /** Variables of Vigil's host environment the suite must not inherit (Vigil's own secrets); `env` may still set them. */
  withheldVariables?: readonly string[];
  /** Per run, absolute. Emptied after a run without failures. */
  outputDir: string;
  timeoutMs: number;
  retries?: number;
  grep?: string;
  grepInvert?: string;
  projects?: string[];
  /** Playwright's positional filters (folders, files, file:line), as its CLI takes them. */
  files?: string[];
  /** `use` options over the suite's own, at the top level and in every project (baseURL is Vigil's anyway). */
  use?: Record<string, unknown>;
  workers?: number;
  keepReporters?: boolean;
  browser?: SuiteBrowser;
  /** Headless Chromium projects connect to a browser of this pool instead of launching their own (shared-browser.ts). */
  sharedBrowser?: SharedBrowserChoice;
  /** Abort = interrupt: the process group is killed and the promise resolves. */
  signal?: AbortSignal;
  onEvent?: (e: SuiteEvent) => void;
  log: Log;
  /** Applied to Playwright's output before it is logged; defaults to masking env values with secret-looking names. */
  redact?: (text: string) => string;
}

export type { TestOutcome } from '../core/index.ts';
import type { TestOutcome } from '../core/index.ts';

/** One `test` event per attempt, as it ends; the last event of a test carries its final outcome. */
export type SuiteEvent =
  | { type: 'begin'; total: number }
  | {
      type: 'test';
      title: string;
      file: string;
      line: number;
      outcome: TestOutcome;
      retry: number;
      durationMs: number;
      error?: string;
    };

export type SuiteOutcomeKind = 'completed' | 'timeout' | 'interrupted' | 'crashed';

export interface SuiteOutcome {
  kind: SuiteOutcomeKind;
  /** For non-completed outcomes: what happened (a stderr tail for crashes). Not yet redacted. */
  message?: string;
  tests: TestCounts;
  /** Final failures, one per test. Errors are not yet redacted. */
  failures: TestFailure[];
  /** Every test that ran (absent when none did). Errors are not yet redacted. */
  testResults?: TestResult[];
  durationSec: number;
  /** The suite's own @playwright/test version that ran. */
  playwrightVersion: string;
}

/** `always`: also projects whose config sets its own launchOptions (those options are then not applied). */
export interface SharedBrowserChoice {
  pool: SharedBrowsers;
  always: boolean;
}
