// Icinga 2 REST API transport: POST /v1/actions/process-check-result. Icinga can answer 200 with
// per-object failures, 500 with `{"results":[]}` when the filter matched nothing, so the body decides.
import { ExportError } from '../../shared/errors.ts';
import { createIcinga2Api, type Icinga2Answer, type Icinga2Connection } from '../../shared/icinga2-api.ts';
import { assertObjectName, type CheckResult, type Transport } from './check-result.ts';
import { OUTPUT_LIMITS, renderPluginOutput } from './plugin-output.ts';

export interface Icinga2Options extends Icinga2Connection {
  /** Shown as the result's check_source; default `vigil`. */
  checkSource?: string;
}

export function icinga2Body(check: CheckResult, checkSource = 'vigil'): Record<string, unknown> {
  return {
    type: 'Service',
    // filter_vars keeps names out of the filter expression: no quoting, no injection.
    filter: 'host.name==vigil_host && service.name==vigil_service',
    filter_vars: { vigil_host: check.host, vigil_service: check.service },
    exit_status: check.state,
    plugin_output: renderPluginOutput(check, { maxBytes: OUTPUT_LIMITS.icinga2, newlines: 'real', perfdataInline: false }),
    performance_data: check.perfdata ? check.perfdata.split(' ') : [],
    check_source: checkSource,
  };
}

/** The problem in Icinga's answer, or undefined when every matched object took the result. */
export function icinga2Problem(answer: Icinga2Answer): string | undefined {
  const body = answer.body as { results?: Array<{ code?: number; status?: string }>; error?: number; status?: string } | undefined;
  const results = body?.results;
  if (answer.status === 200 && Array.isArray(results) && results.length > 0 && results.every((r) => r.code === 200)) return undefined;
  if (Array.isArray(results) && results.length === 0) return `answered ${answer.status}: no such service (the filter matched no object; define it in Icinga)`;
  const failed = Array.isArray(results) ? results.find((r) => r.code !== 200) : undefined;
  if (failed) return `answered ${answer.status}: ${failed.status ?? `code ${failed.code}`}`;
  if (body?.status) return `answered ${answer.status}: ${body.status}`;
  return `answered ${answer.status}: ${answer.text
    .replace(/<[^>]+>/g, '')
    .trim()
    .slice(0, 200)}`;
}

export function createIcinga2Transport(opts: Icinga2Options): Transport {
  const api = createIcinga2Api(opts, 'exporters.icinga2');
  const path = '/v1/actions/process-check-result';
  const where = `icinga2 ${api.origin}`;
  return {
    name: 'icinga2',
    async send(check, signal) {
      assertObjectName('host', check.host, where);
      assertObjectName('service', check.service, where);
      let answer: Icinga2Answer;
      try {
        answer = await api.call({ method: 'POST', path, body: icinga2Body(check, opts.checkSource), signal });
      } catch (err) {
        throw new ExportError(`POST ${path} failed: ${api.describeFailure(err)}`, { where });
      }
      if (answer.status === 401) throw new ExportError('answered 401: user or password rejected (ApiUser)', { where });
      if (answer.status === 403) throw new ExportError('answered 403: the ApiUser lacks permission "actions/process-check-result"', { where });
      const problem = icinga2Problem(answer);
      if (problem) throw new ExportError(api.hide(problem), { where });
    },
  };
}
