// NRDP transport: `POST <url>` form `token=…&cmd=submitcheck&json=<checkresults>`, NRDP's documented
// format. NRDP answers HTTP 200 even for a bad token, so the answer's `result.status` decides.
import { ExportError, messageOf } from '../../shared/errors.ts';
import { assertObjectName, type CheckResult, type Transport } from './check-result.ts';
import { OUTPUT_LIMITS, renderPluginOutput } from './plugin-output.ts';

export interface NrdpOptions {
  /** e.g. https://nagios.example.com/nrdp/ */
  url: string;
  token: string;
  timeoutMs?: number;
  /** Extra request headers (e.g. basic auth in front of NRDP). */
  headers?: Record<string, string>;
}

export function nrdpPayload(check: CheckResult): string {
  const output = renderPluginOutput(check, { maxBytes: OUTPUT_LIMITS.nrdp, newlines: 'real', perfdataInline: true });
  return JSON.stringify({
    checkresults: [
      {
        checkresult: { type: 'service', checktype: '1' },
        hostname: check.host,
        servicename: check.service,
        state: String(check.state),
        output,
      },
    ],
  });
}

interface NrdpAnswer {
  status: number;
  message: string;
}

/** Reads NRDP's answer, JSON (`{"result":{"status":0,"message":"OK"}}`) or XML (older servers, errors). */
export function parseNrdpAnswer(body: string): NrdpAnswer | undefined {
  try {
    const json = JSON.parse(body) as { result?: { status?: unknown; message?: unknown } };
    if (json?.result && json.result.status !== undefined) {
      return { status: Number(json.result.status), message: String(json.result.message ?? '') };
    }
  } catch {
    // not JSON: try XML below
  }
  const status = /<status>\s*(-?\d+)\s*<\/status>/.exec(body);
  if (!status) return undefined;
  const message = /<message>([\s\S]*?)<\/message>/.exec(body)?.[1] ?? '';
  return { status: Number(status[1]), message: message.trim() };
}

export function createNrdpTransport(opts: NrdpOptions): Transport {
  const url = new URL(opts.url);
  // Never show the token: the URL is printed without query or credentials.
  const where = `nagios.nrdp ${url.origin}${url.pathname}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const hide = (text: string) => (opts.token ? text.replaceAll(opts.token, '***').replaceAll(encodeURIComponent(opts.token), '***') : text);

  return {
    name: 'nrdp',
    async send(check, signal) {
      assertObjectName('host', check.host, where);
      assertObjectName('service', check.service, where);
      const body = new URLSearchParams({ token: opts.token, cmd: 'submitcheck', json: nrdpPayload(check) });
      const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...opts.headers },
          body,
          signal: AbortSignal.any(signals),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? messageOf(err));
        throw new ExportError(hide(`POST failed: ${why}`), { where });
      }
      const text = await response.text().catch(() => '');
      const answer = parseNrdpAnswer(text);
      if (!response.ok) {
        throw new ExportError(hide(`answered HTTP ${response.status}${answer ? `: ${answer.message}` : `: ${text.slice(0, 200)}`}`), { where });
      }
      if (!answer) throw new ExportError(hide(`answer is not an NRDP result: ${JSON.stringify(text.slice(0, 200))}`), { where });
      if (answer.status !== 0) {
        throw new ExportError(hide(`NRDP refused the result: ${answer.message || `status ${answer.status}`}`), { where });
      }
    },
  };
}
