import { formatSeconds } from '../shared/duration.ts';
import { errorHeadline, type RunResult } from '../core/index.ts';

const WORD = { passed: 'PASSED', flaky: 'FLAKY', failed: 'FAILED', error: 'ERROR' } as const;

/** The human summary `vigil run` prints on stdout: a headline, then what failed and where. */
export function summarize(r: RunResult): string {
  const t = r.tests;
  const duration = formatSeconds(r.phases.tenant_setup + r.phases.test + r.phases.teardown);
  const head = `${WORD[r.status]} ${r.suite}@${r.environment}`;
  const lines: string[] = [];
  if (r.status === 'error') lines.push(`${head}: ${errorHeadline(r)}`);
  else lines.push(`${head}: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped in ${duration}`);
  // The error queries of a passed run: an exceeded one is why the exit code is 1 or 2.
  for (const c of r.errorChecks ?? []) {
    if (c.error !== undefined) lines.push(`  ? ${c.name} could not be asked: ${c.error}`);
    else lines.push(`  ${c.exceeded ? '!' : '·'} ${c.name} = ${c.value} over ${c.window}${c.exceeded ? ` (above ${c.above}: ${c.severity})` : ''}: ${c.link}`);
  }
  for (const f of r.failures) {
    lines.push(`  ✘ ${f.title} (${f.file}:${f.line})`);
    for (const l of f.error.split('\n').slice(0, 6)) lines.push(`      ${l}`);
  }
  const tenant = r.tenant;
  if (tenant && tenant.state !== 'destroyed' && tenant.state !== 'creating') {
    lines.push(`  tenant ${tenant.name}: ${tenant.state}${tenant.error ? ` (${tenant.error})` : ''}`);
  }
  if (r.artifactsDir) lines.push(`  artifacts: ${r.artifactsDir}`);
  lines.push(`  run ${r.runId}`);
  return lines.join('\n');
}
