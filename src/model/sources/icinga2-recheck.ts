// Forced re-checks through Icinga 2's API: POST /v1/actions/reschedule-check with `force: true` runs the
// check now even when active checks are off or outside the check period. At most two requests (hosts,
// services) however many checks; the objects are picked with filter_vars, never quoted into a filter.
// Icinga answers 500 `{"results":[]}` when a filter matches nothing, so each answer is read per object.
import type { Icinga2SourceConfig } from '../../config/model-schema.ts';
import { VigilError } from '../../shared/errors.ts';
import { createIcinga2Api, icinga2StatusText } from '../../shared/icinga2-api.ts';

/** Vigil could not ask a source to re-check now. */
export class RecheckError extends VigilError {}

export interface Icinga2RecheckTarget {
  host: string;
  service?: string;
}

export async function forceIcinga2Rechecks(config: Icinga2SourceConfig, targets: Icinga2RecheckTarget[]): Promise<void> {
  const api = createIcinga2Api(config, 'model.sources.icinga2');
  const where = `icinga2 ${api.origin} (forced re-check)`;
  const hosts = targets.filter((t) => t.service === undefined).map((t) => t.host);
  // Icinga's own name for a service object is `host!service` (its __name).
  const services = targets.filter((t) => t.service !== undefined).map((t) => `${t.host}!${t.service}`);
  const batches = [
    { type: 'Host', filter: 'host.name in vigil_names', names: hosts },
    { type: 'Service', filter: 'service.__name in vigil_names', names: services },
  ].filter((b) => b.names.length > 0);
  await Promise.all(
    batches.map(async (b) => {
      let answer;
      try {
        answer = await api.call({
          method: 'POST',
          path: '/v1/actions/reschedule-check',
          body: { type: b.type, filter: b.filter, filter_vars: { vigil_names: b.names }, force: true },
        });
      } catch (err) {
        throw new RecheckError(`POST /v1/actions/reschedule-check failed: ${api.describeFailure(err)}`, { where });
      }
      if (answer.status === 401) throw new RecheckError('answered 401: user or password rejected (ApiUser)', { where });
      if (answer.status === 403) throw new RecheckError('answered 403: the ApiUser lacks permission "actions/reschedule-check"', { where });
      const results = (answer.body as { results?: Array<{ code?: number; status?: string }> } | undefined)?.results;
      if (Array.isArray(results) && results.length === 0)
        throw new RecheckError(`none of the ${b.type.toLowerCase()}s ${b.names.join(', ')} exists in Icinga 2`, { where });
      const failed = Array.isArray(results) ? results.find((r) => r.code !== 200) : undefined;
      if (answer.status !== 200 || !Array.isArray(results) || failed) {
        throw new RecheckError(`answered ${answer.status}: ${failed?.status ?? api.hide(icinga2StatusText(answer))}`, { where });
      }
    }),
  );
}
