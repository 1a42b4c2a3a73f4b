// Shared by the Prometheus exporter tests: results to publish, reading an exposition, finding promtool.
import { spawn, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult, RunStatus } from '../../../src/core/index.ts';
import type { Log } from '../../../src/shared/log.ts';

export const quietLog = (): Log & { warnings: unknown[][] } => {
  const warnings: unknown[][] = [];
  const log = {
    warnings,
    info() {},
    debug() {},
    warn: (...args: unknown[]) => void warnings.push(args),
    error: (...args: unknown[]) => void warnings.push(args),
  };
  return log as unknown as Log & { warnings: unknown[][] };
};

let counter = 0;
export function result(status: RunStatus, overrides: Partial<RunResult> = {}): RunResult {
  counter++;
  const finishedAt = overrides.finishedAt ?? new Date(Date.UTC(2025, 0, 1, 0, counter)).toISOString();
  const startedAt = overrides.startedAt ?? new Date(Date.parse(finishedAt) - 42_000).toISOString();
  const failed = status === 'failed' ? 1 : 0;
  const flaky = status === 'flaky' ? 1 : 0;
  const ran = status === 'error' ? 0 : 5;
  return {
    runId: `run-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    suite: 'checkout',
    environment: 'production',
    trigger: 'schedule',
    startedAt,
    finishedAt,
    status,
    ...(status === 'error' ? { errorPhase: 'suite' as const, errorMessage: 'playwright crashed' } : {}),
    phases: { tenant_setup: 1.5, test: 38, teardown: 2.5 },
    tests: { total: ran, passed: ran - failed - flaky - (ran ? 1 : 0), failed, flaky, skipped: ran ? 1 : 0 },
    failures: failed ? [{ title: 'cart › pays by card', file: 'cart.spec.ts', line: 12, error: 'expected 200' }] : [],
    tenant: { id: 't1', name: `vigil-checkout-${counter}abcdefgh`, state: 'destroyed' },
    ...overrides,
  };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses text format 0.0.4 samples (no escapes beyond \" and \\ are produced by our label values). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; undefined when absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = parseExposition(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

/** In CI a missing tool is a failure (the pipeline must install it); locally the test is skipped. */
export function requireTool(t: TestContext, tool: 'promtool' | 'prometheus'): boolean {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  const why = `${tool} not installed (apt-get install -y --no-install-recommends prometheus)`;
  if (process.env.CI) assert.fail(why);
  t.skip(why);
  return false;
}

export function promtool(args: string[], stdin?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(stdin ?? '');
  });
}
