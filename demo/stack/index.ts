export { startStack, type Stack, type StackMember, type StackOptions } from './stack.ts';
export { modelYaml, vigilYaml, scenariosYaml, SUITE, ENVIRONMENT, type ModelYamlOptions, type VigilYamlOptions } from './model-yaml.ts';
export { promQuery, PROMETHEUS_BIN, type Sample } from './prometheus.ts';
export { HAPROXY_BIN, haproxyRuntime, serverStates, type ServerState } from './haproxy.ts';
export { NAGIOS_BIN, PLUGINS, type StatusEntry } from './nagios.ts';
export { stackCommands, runStackCommand, nagiosCommand, CommandError } from './commands.ts';
export { controlSocketPath } from './control-server.ts';
