export {
  vigilConfigSchema,
  suiteFiltersSchema,
  type SuiteFilters,
  NAME_PATTERN,
  PROVISIONER_KINDS,
  type VigilConfig,
  type VigilConfigInput,
  type EnvironmentConfig,
  type ProvisionerConfig,
  type HttpProvisionerConfig,
  type CommandProvisionerConfig,
  type ModuleProvisionerConfig,
  type SuiteConfig,
  type BrowserConfig,
} from './schema.ts';
export {
  loadConfig,
  findConfigFile,
  type LoadedConfig,
  type LoadConfigOptions,
  type DemoSetup,
  type ConfigSource,
} from './load-config.ts';
export { validateConfig, PLAYWRIGHT_CONFIG_NAMES, type Validation, type ValidateOptions } from './validate-config.ts';
export { demoConfig, type DemoConfigOptions } from './demo-config.ts';
export { describeConfig } from './check-config.ts';
