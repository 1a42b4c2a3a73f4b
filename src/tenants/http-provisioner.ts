// The http kind: create, delete and list are templated requests to the app's own admin API; create's
// JSON answer is mapped to fields by dot paths, and a delete answered 404 or 410 finds the tenant gone.
import { expectOk, parseAnswerJson, sendRequest } from './http-call.ts';
import { atPath, listedTenants, pickFields } from './pick-fields.ts';
import type { ProvisionerBase } from './provisioner-base.ts';
import type { HttpProvisionerSpec, Provisioner } from './types.ts';

export function createHttpProvisioner(base: ProvisionerBase, spec: HttpProvisionerSpec): Provisioner {
  const fieldPaths = spec.fields ?? { id: 'id' };
  if (!('id' in fieldPaths)) throw base.fail('load', 'fields must map "id" (the handle delete needs)');

  const provisioner: Provisioner = {
    ...base.identity,

    async create({ name, environment }, signal) {
      const answer = await sendRequest(base, 'create', spec.create, { tenant: { name }, environment, env: base.env }, 'POST', signal);
      expectOk(base, 'create', answer);
      const picked = pickFields(parseAnswerJson(base, 'create', answer), fieldPaths);
      return base.acceptFields('create', picked, `${answer.request} answered ${answer.status}`);
    },

    async destroy({ name, fields, environment }, signal) {
      const answer = await sendRequest(base, 'delete', spec.delete, { tenant: { name, fields }, environment, env: base.env }, 'DELETE', signal);
      if (answer.status === 404 || answer.status === 410) {
        base.log.info({ provisioner: base.name, tenant: name }, `${answer.request} answered ${answer.status}: tenant already gone`);
        return;
      }
      expectOk(base, 'delete', answer);
    },
  };

  const list = spec.list;
  if (list) {
    provisioner.list = async (environment, signal) => {
      const answer = await sendRequest(base, 'list', list, { environment, env: base.env }, 'GET', signal);
      expectOk(base, 'list', answer);
      const parsed = parseAnswerJson(base, 'list', answer);
      const items = list.items ? atPath(parsed, list.items) : parsed;
      if (!Array.isArray(items)) {
        throw base.fail('list', `${answer.request} answer has no array at ${list.items ? `"${list.items}"` : 'its top level'}`);
      }
      return listedTenants(items, list.fields);
    };
  }
  return provisioner;
}
