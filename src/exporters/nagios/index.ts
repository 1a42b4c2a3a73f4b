export { buildCheckResult, buildLocatedCheckResult, assertObjectName, type CheckResult, type Transport, type NamingOptions } from './check-result.ts';
export {
  formatCheckResult,
  formatLocatedCheck,
  renderPluginOutput,
  renderFor,
  stateOf,
  perfdataOf,
  OUTPUT_LIMITS,
  STATE_LABEL,
  sanitizeLine,
  type FormattedCheck,
  type FormatOptions,
  type NagiosState,
  type StateMap,
  type RenderOptions,
  type TransportKind,
} from './plugin-output.ts';
export { createCommandFileTransport, commandLine, type CommandFileOptions } from './command-file.ts';
export { createNscaTransport, parseNscaMethod, type NscaOptions } from './nsca.ts';
export { createNrdpTransport, type NrdpOptions } from './nrdp.ts';
export { createIcinga2Transport, type Icinga2Options } from './icinga2.ts';
