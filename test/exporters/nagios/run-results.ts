// RunResults for each status, shaped like the orchestrator's output.
import type { RunResult } from '../../../src/core/index.ts';

export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId: 'r_abc123',
    suite: 'checkout',
    environment: 'production',
    trigger: 'schedule',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:00:40.000Z',
    status: 'passed',
    phases: { tenant_setup: 2.1, test: 31.2, teardown: 0.8 },
    tests: { total: 14, passed: 14, failed: 0, flaky: 0, skipped: 0 },
    failures: [],
    tenant: { id: 't1', name: 'vigil-checkout-abc', state: 'destroyed' },
    ...overrides,
  };
}

export const failedRun = (overrides: Partial<RunResult> = {}) =>
  runResult({
    status: 'failed',
    tests: { total: 14, passed: 12, failed: 2, flaky: 0, skipped: 0 },
    failures: [
      {
        title: 'cart › pays by card',
        file: 'tests/cart.spec.ts',
        line: 42,
        error: 'Error: expect(received).toBe(expected)\n\nExpected: "paid"\nReceived: "declined"',
      },
      { title: 'search › finds a note', file: 'tests/search.spec.ts', line: 7, error: 'TimeoutError: locator.click: Timeout 5000ms exceeded.' },
    ],
    ...overrides,
  });

export const flakyRun = () =>
  runResult({
    status: 'flaky',
    tests: { total: 14, passed: 13, failed: 0, flaky: 1, skipped: 0 },
    failures: [{ title: 'login › remembers me', file: 'tests/login.spec.ts', line: 3, error: 'Error: first try failed' }],
  });

export const errorRun = () =>
  runResult({
    status: 'error',
    errorPhase: 'tenant_setup',
    errorMessage: 'tenants.demo.create: POST http://127.0.0.1:9/admin/tenants answered 500: boom\nsecond line of detail',
    tests: { total: 0, passed: 0, failed: 0, flaky: 0, skipped: 0 },
  });
