// What `vigil config check` prints on success: enough to see what will run where, and no secret.
import { createRedactor } from '../shared/redact.ts';
import type { LoadedConfig } from './load-config.ts';
import type { ProvisionerConfig } from './schema.ts';

const UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Back to the notation the file uses: 7200000 → "2h", 5400000 → "1h30m". */
function duration(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text || '0s';
}

const grepText = (value: string | Record<string, string> | undefined, environment: string) => (typeof value === 'string' ? value : value?.[environment]);

function provisionerSummary(p: ProvisionerConfig): string {
  const target = p.kind === 'http' ? `${p.create.method} ${p.create.url}` : p.kind === 'command' ? p.create.command.join(' ') : p.module;
  return `${p.kind} (${target}), names ${p.prefix}-<suite>-…, ttl ${duration(p.ttl)}, timeout ${duration(p.timeout)}`;
}

export function describeConfig(loaded: LoadedConfig): string {
  const { config } = loaded;
  const redact = createRedactor(loaded.secrets);
  const lines = [
    `config: ${loaded.file ?? 'bundled demo setup (no config file)'}`,
    `store: ${config.store}`,
    `artifacts: ${config.artifacts.dir} (keep ${config.artifacts.keep}, max age ${duration(config.artifacts.maxAge)})`,
    'environments:',
  ];
  for (const [name, environment] of Object.entries(config.environments)) {
    const nagios = environment.nagiosHost ? `, nagios host ${environment.nagiosHost}` : '';
    lines.push(`  ${name}: ${environment.baseURL}, tenants from ${environment.tenants}${nagios}`);
  }
  lines.push('tenants:');
  for (const [name, provisioner] of Object.entries(config.tenants)) lines.push(`  ${name}: ${provisionerSummary(provisioner)}`);
  lines.push('suites:');
  for (const [name, suite] of Object.entries(config.suites)) {
    lines.push(`  ${name}: ${suite.path}${suite.config ? ` (config ${suite.config})` : ''}`);
    lines.push(`    environments: ${suite.environments.join(', ')}`);
    lines.push(`    schedule: ${suite.schedule ?? 'none (runs on demand only)'}`);
    const retries = suite.retries === undefined ? 'as in the suite' : String(suite.retries);
    lines.push(`    timeout: ${duration(suite.timeout)}, retries: ${retries}`);
    for (const environment of suite.environments) {
      const grep = grepText(suite.grep, environment);
      const grepInvert = grepText(suite.grepInvert, environment);
      if (grep) lines.push(`    grep on ${environment}: ${grep}`);
      if (grepInvert) lines.push(`    grepInvert on ${environment}: ${grepInvert}`);
    }
  }
  // Names only: which of Vigil's own variables its suites will not see (docs/running-playwright.md).
  lines.push(`kept from the suites' environment: ${loaded.withheldVariables.join(', ') || 'none'}`);
  return redact(lines.join('\n'));
}
