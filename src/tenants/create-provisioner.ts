import { ProvisionError } from '../shared/errors.ts';
import { createCommandProvisioner } from './command-provisioner.ts';
import { createHttpProvisioner } from './http-provisioner.ts';
import { createModuleProvisioner } from './module-provisioner.ts';
import { createProvisionerBase } from './provisioner-base.ts';
import type { Provisioner, ProvisionerDeps, ProvisionerSpec } from './types.ts';

/** `name` is the config key under `tenants:`; it names the provisioner in every error. */
export function createProvisioner(name: string, spec: ProvisionerSpec, deps: ProvisionerDeps): Provisioner {
  const base = createProvisionerBase(name, spec, deps);
  switch (spec.kind) {
    case 'http':
      return createHttpProvisioner(base, spec);
    case 'command':
      return createCommandProvisioner(base, spec);
    case 'module':
      return createModuleProvisioner(base, spec);
    default:
      throw new ProvisionError(`unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)} (http, command or module)`, {
        where: `tenants.${name}`,
      });
  }
}
