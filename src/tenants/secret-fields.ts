import { SECRET_NAME } from '../shared/redact.ts';
import type { Provisioner, TenantFields } from './types.ts';

/** A field is secret when configured so or when its name looks like one (`password`, `apiKey`, …). */
export const secretFieldTest =
  (secretFields: readonly string[] = []) =>
  (field: string): boolean =>
    secretFields.includes(field) || SECRET_NAME.test(field);

/** What may be stored in the ledger and used by destroy/list templates: no secret fields. */
export const publicFields = (fields: TenantFields, provisioner: Pick<Provisioner, 'isSecretField'>): TenantFields =>
  Object.fromEntries(Object.entries(fields).filter(([field]) => !provisioner.isSecretField(field)));
