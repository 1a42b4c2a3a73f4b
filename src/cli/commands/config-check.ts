import path from 'node:path';
import { describeConfig } from '../../config/check-config.ts';
import { loadConfig, type LoadedConfig } from '../../config/load-config.ts';
import { isProduction } from '../../core/index.ts';
import { loadScenarioConfig } from '../../scenarios/index.ts';
import { createRedactor } from '../../shared/redact.ts';
import { prepareScheduledEntries } from '../scheduled-entries.ts';

/**
 * `vigil config check`: loads and validates without opening the store or calling anything. The
 * scheduled scenarios' feature files are read and checked as `vigil serve` checks them at start (which
 * reads the model's file and loads a team's own steps module, as serve does).
 */
export async function configCheckCommand(opts: { config?: string }): Promise<number> {
  const loaded = await loadConfig({ file: opts.config, env: process.env });
  if (loaded.file === null) {
    process.stdout.write('no config file (--config, $VIGIL_CONFIG or ./vigil.yaml): Vigil would run the bundled demo\n');
    return 0;
  }
  const scheduled = await scheduledLines(loaded, loaded.file);
  process.stdout.write(`${[describeConfig(loaded), ...scheduled].join('\n')}\nconfig OK\n`);
  return 0;
}

/** Each scheduled entry checked (throws the ConfigError serve would give at start), then described. */
async function scheduledLines(loaded: LoadedConfig, configFile: string): Promise<string[]> {
  const document = loaded.document;
  if (!document) return [];
  const { config: scenarios, secrets } = loadScenarioConfig(document);
  if (!Object.keys(scenarios.schedule).length) return [];
  const entries = await prepareScheduledEntries({
    config: loaded.config,
    scenarios,
    configFile,
    model: async () => {
      const { resolveModel } = await import('../../model/load-model.ts');
      return (await resolveModel(document, process.env)).model;
    },
  });
  const lines = ['scheduled scenarios (destructive: their actions run for real on every fire):'];
  for (const { name, entry, file, plans } of entries) {
    const environments = entry.environments.map((e) => (isProduction(e, loaded.config.environments[e]) ? `${e} (production)` : e));
    lines.push(`  ${name}: ${path.relative(path.dirname(configFile), file) || file}, schedule ${entry.schedule}`);
    lines.push(`    environments: ${environments.join(', ')}`);
    lines.push(`    scenarios: ${plans.map((p) => `${p.scenario.name} (line ${p.scenario.line})`).join('; ')}`);
    if (entry.nagios) lines.push(`    nagios: ${entry.nagios.host}!${entry.nagios.service}`);
  }
  const redact = createRedactor([...loaded.secrets, ...secrets]);
  return lines.map((line) => redact(line));
}
