export { startStack, type Stack, type StackMember, type StackOptions } from './stack.ts';
export { modelYaml, vigilYaml, SUITE, ENVIRONMENT, type ModelYamlOptions, type VigilYamlOptions } from './model-yaml.ts';
export { promQuery, PROMETHEUS_BIN, type Sample } from './prometheus.ts';
export { HAPROXY_BIN, haproxyRuntime, serverStates, type ServerState } from './haproxy.ts';
export { NAGIOS_BIN, PLUGINS, type StatusEntry } from './nagios.ts';
