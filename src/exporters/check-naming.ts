// Which Nagios host and service a result lands on, and how its status maps to a state: the
// environment's `nagiosHost`, the suite's `nagios.service`, per-suite state maps over the global one.
import type { RunResult } from '../core/index.ts';
import type { NamingOptions, StateMap } from './nagios/index.ts';

/** The parts of VigilConfig naming reads; the loaded config satisfies it. */
export interface NamingConfig {
  environments?: Record<string, { nagiosHost?: string }>;
  suites?: Record<string, { nagios?: { service?: string; stateMap?: StateMap } }>;
  exporters?: { nagios?: { stateMap?: StateMap; servicePrefix?: string } };
  api?: { publicURL?: string };
}

export function namingFor(config: NamingConfig, result: Pick<RunResult, 'suite' | 'environment'>): NamingOptions {
  const nagios = config.exporters?.nagios;
  const suite = config.suites?.[result.suite]?.nagios;
  const stateMap = { ...nagios?.stateMap, ...suite?.stateMap };
  return {
    host: config.environments?.[result.environment]?.nagiosHost ?? result.environment,
    ...(suite?.service ? { service: suite.service } : {}),
    ...(nagios?.servicePrefix !== undefined ? { servicePrefix: nagios.servicePrefix } : {}),
    ...(Object.keys(stateMap).length ? { stateMap } : {}),
    ...(config.api?.publicURL ? { publicURL: config.api.publicURL } : {}),
  };
}
