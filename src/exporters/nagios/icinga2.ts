// Icinga 2 REST API transport: POST /v1/actions/process-check-result. Icinga can answer 200 with
// per-object failures, 500 with `{"results":[]}` when the filter matched nothing, so the body decides.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { ConfigError, ExportError, messageOf } from '../../shared/errors.ts';
import { assertObjectName, type CheckResult, type Transport } from './check-result.ts';
import { OUTPUT_LIMITS, renderPluginOutput } from './plugin-output.ts';

export interface Icinga2Options {
  /** e.g. https://icinga.example.com:5665 */
  url: string;
  user: string;
  password: string;
  /** PEM file of the CA that signed Icinga's API certificate. */
  ca?: string;
  /** Skips certificate verification. For a lab only: anyone in the path can read the password. */
  insecure?: boolean;
  /** Name to verify the certificate against when it differs from the URL's host (Icinga certs carry the node name). */
  tlsServerName?: string;
  /** Shown as the result's check_source; default `vigil`. */
  checkSource?: string;
  timeoutMs?: number;
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

interface IcingaAnswer {
  status: number;
  body: unknown;
  text: string;
}

/** The problem in Icinga's answer, or undefined when every matched object took the result. */
export function icinga2Problem(answer: IcingaAnswer): string | undefined {
  const body = answer.body as { results?: Array<{ code?: number; status?: string }>; error?: number; status?: string } | undefined;
  const results = body?.results;
  if (answer.status === 200 && Array.isArray(results) && results.length > 0 && results.every((r) => r.code === 200)) return undefined;
  if (Array.isArray(results) && results.length === 0) return `answered ${answer.status}: no such service (the filter matched no object; define it in Icinga)`;
  const failed = Array.isArray(results) ? results.find((r) => r.code !== 200) : undefined;
  if (failed) return `answered ${answer.status}: ${failed.status ?? `code ${failed.code}`}`;
  if (body?.status) return `answered ${answer.status}: ${body.status}`;
  return `answered ${answer.status}: ${answer.text.replace(/<[^>]+>/g, '').trim().slice(0, 200)}`;
}

export function createIcinga2Transport(opts: Icinga2Options): Transport {
  const base = new URL(opts.url);
  if (base.protocol !== 'https:') {
    throw new ConfigError(`Icinga 2's API speaks HTTPS only; got ${base.protocol}//`, { where: 'exporters.icinga2.url' });
  }
  let ca: string | undefined;
  if (opts.ca) {
    try {
      ca = readFileSync(opts.ca, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read the CA file ${opts.ca}: ${messageOf(err)}`, { where: 'exporters.icinga2.ca' });
    }
  }
  const endpoint = new URL('/v1/actions/process-check-result', base);
  const where = `icinga2 ${endpoint.origin}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  const hide = (text: string) => (opts.password ? text.replaceAll(opts.password, '***') : text);

  const post = (payload: string, signal?: AbortSignal) =>
    new Promise<IcingaAnswer>((resolve, reject) => {
      const req = request(
        endpoint,
        {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json', authorization: auth, 'content-length': Buffer.byteLength(payload) },
          ca,
          rejectUnauthorized: !opts.insecure,
          servername: opts.tlsServerName,
          timeout: timeoutMs,
          signal,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text.length < 100_000) text += d;
          });
          res.on('end', () => {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });

  return {
    name: 'icinga2',
    async send(check, signal) {
      assertObjectName('host', check.host, where);
      assertObjectName('service', check.service, where);
      let answer: IcingaAnswer;
      try {
        answer = await post(JSON.stringify(icinga2Body(check, opts.checkSource)), signal);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const hint =
          e.code === 'ECONNREFUSED'
            ? 'connection refused (is the ApiListener enabled on that port?)'
            : /certificate|self.signed|altnames|CERT/i.test(e.message)
              ? `TLS verification failed: ${e.message} (set "ca" to Icinga's CA file, or "tlsServerName" to the name in its certificate)`
              : messageOf(err);
        throw new ExportError(hide(`POST ${endpoint.pathname} failed: ${hint}`), { where });
      }
      if (answer.status === 401) throw new ExportError('answered 401: user or password rejected (ApiUser)', { where });
      if (answer.status === 403) throw new ExportError('answered 403: the ApiUser lacks permission "actions/process-check-result"', { where });
      const problem = icinga2Problem(answer);
      if (problem) throw new ExportError(hide(problem), { where });
    },
  };
}
