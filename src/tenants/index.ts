export { createProvisioner } from './create-provisioner.ts';
export { createReaper, type Reaper, type ReaperDeps, type ReaperEnvironment } from './reaper.ts';
export { renderTemplate, type TemplateContext, type TemplateOptions } from './render-template.ts';
export { publicFields, secretFieldTest } from './secret-fields.ts';
export { tenantEnv, envNameOf } from './tenant-env.ts';
export { tenantName } from './tenant-name.ts';
export type { ProvisionerModule } from './module-call.ts';
export type * from './types.ts';
export { DEFAULTS as TENANT_DEFAULTS } from './types.ts';
