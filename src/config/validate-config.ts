// Schema, then paths, then cross-references: the same checks for a YAML file and the bundled demo setup.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { scenarioOfTarget } from '../core/index.ts';
import { vigilConfigSchema, type VigilConfig } from './schema.ts';
import { formatIssues, formatPath } from './format-issues.ts';
import { didYouMean } from './suggest.ts';
import { isStoreFile } from '../shared/store-location.ts';

export type Validation = { ok: true; config: VigilConfig } | { ok: false; problems: string[] };

export interface ValidateOptions {
  /** Relative paths in the config resolve against this folder (the config file's). */
  baseDir: string;
  /** Paths already reported (e.g. a missing variable left them empty): skip their schema complaints. */
  alreadyReported?: ReadonlySet<string>;
}

export const PLAYWRIGHT_CONFIG_NAMES = ['ts', 'js', 'mjs', 'cjs', 'mts', 'cts'].map((ext) => `playwright.config.${ext}`);

export function validateConfig(input: unknown, options: ValidateOptions): Validation {
  if (input === null || input === undefined) return { ok: false, problems: ['the config is empty'] };
  const parsed = vigilConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const reported = options.alreadyReported ?? new Set<string>();
    const fresh = parsed.error.issues.filter((issue) => {
      const where = formatPath(issue.path);
      return ![...reported].some((p) => where === p || where.startsWith(`${p}.`) || where.startsWith(`${p}[`));
    });
    return { ok: false, problems: formatIssues(fresh) };
  }
  const config = resolvePaths(parsed.data, options.baseDir);
  const problems = checkReferences(config);
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

function resolvePaths(config: VigilConfig, baseDir: string): VigilConfig {
  const at = (path: string) => resolve(baseDir, path);
  const tenants = Object.fromEntries(
    Object.entries(config.tenants).map(([name, provisioner]) => {
      if (provisioner.kind === 'module') return [name, { ...provisioner, module: at(provisioner.module) }];
      if (provisioner.kind === 'command') {
        // Commands run from the config's folder unless told otherwise, so `node tenants/x.ts` works.
        const call = <T extends { cwd?: string }>(c: T): T => ({ ...c, cwd: at(c.cwd ?? '.') });
        return [
          name,
          {
            ...provisioner,
            create: call(provisioner.create),
            delete: call(provisioner.delete),
            list: provisioner.list && call(provisioner.list),
          },
        ];
      }
      return [name, provisioner];
    }),
  ) as VigilConfig['tenants'];
  const suites = Object.fromEntries(
    Object.entries(config.suites).map(([name, suite]) => {
      const path = at(suite.path);
      return [name, { ...suite, path, config: suite.config && resolve(path, suite.config) }];
    }),
  ) as VigilConfig['suites'];
  const { prometheus, nagios } = config.exporters;
  const exporters: VigilConfig['exporters'] = {
    ...config.exporters,
    prometheus: { ...prometheus, textfile: prometheus.textfile && at(prometheus.textfile) },
    nagios: {
      ...nagios,
      commandFile: nagios.commandFile && at(nagios.commandFile),
      icinga2: nagios.icinga2 && { ...nagios.icinga2, ca: nagios.icinga2.ca && at(nagios.icinga2.ca) },
    },
  };
  return {
    ...config,
    store: isStoreFile(config.store) ? at(config.store) : config.store,
    artifacts: { ...config.artifacts, dir: at(config.artifacts.dir) },
    tenants,
    suites,
    exporters,
  };
}

const kindOf = (path: string): 'file' | 'dir' | 'none' => {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isDirectory() ? 'dir' : stat ? 'file' : 'none';
};

function checkReferences(config: VigilConfig): string[] {
  const problems: string[] = [];
  const environments = Object.keys(config.environments);
  const provisioners = Object.keys(config.tenants);
  const undefinedName = (what: string, section: string, name: string, known: string[]) =>
    `${what} ${JSON.stringify(name)} is not defined under ${section}${didYouMean(name, known) || (known.length ? ` (defined: ${known.join(', ')})` : '')}`;

  for (const [envName, environment] of Object.entries(config.environments)) {
    if (!config.tenants[environment.tenants]) {
      problems.push(`environments.${envName}.tenants: ${undefinedName('provisioner', 'tenants', environment.tenants, provisioners)}`);
    }
  }

  for (const [name, provisioner] of Object.entries(config.tenants)) {
    if (provisioner.kind === 'module' && kindOf(provisioner.module) !== 'file') {
      problems.push(`tenants.${name}.module: file ${provisioner.module} not found`);
    }
    if (provisioner.kind === 'command') {
      for (const call of ['create', 'delete', 'list'] as const) {
        const cwd = provisioner[call]?.cwd;
        if (cwd && kindOf(cwd) !== 'dir') problems.push(`tenants.${name}.${call}.cwd: folder ${cwd} not found`);
      }
    }
  }

  // A window holds a suite, every suite ("*", scheduled scenarios included), or one scheduled scenario ("scenario:<name>").
  config.maintenance.forEach((window, i) => {
    const suites = Object.keys(config.suites);
    const scenario = scenarioOfTarget(window.suite);
    if (scenario !== undefined) {
      const scheduled = Object.keys(config.scenarios?.schedule ?? {});
      if (!scheduled.includes(scenario))
        problems.push(
          `maintenance[${i}].suite: no scheduled scenario "${scenario}" (scenarios.schedule: ${scheduled.join(', ') || 'none'}); "scenario:<name>" holds a scheduled scenario`,
        );
    } else if (window.suite !== '*' && !config.suites[window.suite])
      problems.push(`maintenance[${i}].suite: ${undefinedName('suite', 'suites', window.suite, suites)}`);
    if (window.environment !== '*' && !config.environments[window.environment])
      problems.push(`maintenance[${i}].environment: ${undefinedName('environment', 'environments', window.environment, environments)}`);
  });

  for (const [name, suite] of Object.entries(config.suites)) {
    suite.environments.forEach((envName, i) => {
      if (!config.environments[envName]) {
        problems.push(`suites.${name}.environments[${i}]: ${undefinedName('environment', 'environments', envName, environments)}`);
      }
    });
    for (const option of ['grep', 'grepInvert'] as const) {
      const value = suite[option];
      if (typeof value !== 'object') continue;
      for (const envName of Object.keys(value)) {
        if (!config.environments[envName]) {
          problems.push(`suites.${name}.${option}.${envName}: ${undefinedName('environment', 'environments', envName, environments)}`);
        }
      }
    }
    const pathKind = kindOf(suite.path);
    if (pathKind !== 'dir') {
      problems.push(`suites.${name}.path: folder ${suite.path} ${pathKind === 'none' ? 'not found' : 'is a file, not a folder'}`);
    } else if (suite.config) {
      if (kindOf(suite.config) !== 'file') problems.push(`suites.${name}.config: file ${suite.config} not found`);
    } else if (!PLAYWRIGHT_CONFIG_NAMES.some((file) => kindOf(resolve(suite.path, file)) === 'file')) {
      problems.push(`suites.${name}.path: no playwright.config.{ts,js,mjs,cjs,mts,cts} in ${suite.path} (name the file with suites.${name}.config)`);
    }
  }
  const ca = config.exporters.nagios.icinga2?.ca;
  if (ca && kindOf(ca) !== 'file') problems.push(`exporters.nagios.icinga2.ca: file ${ca} not found`);
  return problems;
}
