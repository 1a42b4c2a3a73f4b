// Which label values the exporter takes: with configured targets, only those pairs and their
// environments (a result for anything else is refused, so a typo cannot add series); exporter names only
// of a safe shape. Without targets (a one-shot run), anything non-empty.
import type { Log } from '../../shared/log.ts';
import type { Target } from './sources.ts';

const EXPORTER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export function pairKey(p: { suite: string; environment: string }): string {
  return `${p.suite}\u0000${p.environment}`;
}

export function createLabelScope(targetList: Target[] | undefined, log: Log) {
  const targets = targetList ? new Set(targetList.map(pairKey)) : undefined;
  const environments = targetList ? new Set(targetList.map((t) => t.environment)) : undefined;
  return {
    environments,
    acceptsPair(suite: string, environment: string): boolean {
      if (!suite || !environment) return false;
      return targets ? targets.has(pairKey({ suite, environment })) : true;
    },
    acceptsEnvironment(environment: string): boolean {
      if (!environment) return false;
      return environments ? environments.has(environment) : true;
    },
    checkExporter(exporter: string): boolean {
      if (EXPORTER_NAME.test(exporter)) return true;
      log.warn({ exporter }, 'prometheus: exporter name refused as a label value (want [a-z][a-z0-9_-]*)');
      return false;
    },
  };
}

export type LabelScope = ReturnType<typeof createLabelScope>;
