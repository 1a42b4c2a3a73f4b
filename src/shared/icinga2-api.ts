// One HTTPS client for Icinga 2's REST API, shared by the exporter (process-check-result) and the
// service model's source (objects, reschedule-check), so TLS, CA, basic auth, the mandatory
// `Accept: application/json` and the hints for a failed connection live in one place.
// Icinga answers plain HTTP by closing the connection, so only https:// is accepted.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { ConfigError, messageOf } from './errors.ts';

export interface Icinga2Connection {
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
  timeoutMs?: number;
}

export interface Icinga2Answer {
  status: number;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** The raw body, cut at `maxBytes`. */
  text: string;
}

export interface Icinga2Request {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /**
   * Sends a query as POST with `X-HTTP-Method-Override: GET`: Icinga's way to give a GET a JSON body
   * (filters and filter_vars that do not fit, or should not be quoted into, a URL).
   */
  queryInBody?: boolean;
  signal?: AbortSignal;
  /** Longest body kept; default 100 kB (an action's answer). Object queries over a large Icinga need more. */
  maxBytes?: number;
}

export interface Icinga2Api {
  /** `https://host:port`, for messages. */
  origin: string;
  /** Resolves with any HTTP status; rejects only when no answer came (connect, TLS, timeout). */
  call(req: Icinga2Request): Promise<Icinga2Answer>;
  /** A connection failure in words a person can act on, without the password. */
  describeFailure(err: unknown): string;
  /** Removes the password from a text (Icinga echoes little, but proxies and TLS errors may). */
  hide(text: string): string;
}

/** Throws ConfigError (where = `configPath`.url / .ca) for plain HTTP or an unreadable CA file. */
export function createIcinga2Api(conn: Icinga2Connection, configPath: string): Icinga2Api {
  const base = new URL(conn.url);
  if (base.protocol !== 'https:') {
    throw new ConfigError(`Icinga 2's API speaks HTTPS only; got ${base.protocol}//`, { where: `${configPath}.url` });
  }
  let ca: string | undefined;
  if (conn.ca) {
    try {
      ca = readFileSync(conn.ca, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read the CA file ${conn.ca}: ${messageOf(err)}`, { where: `${configPath}.ca` });
    }
  }
  const timeoutMs = conn.timeoutMs ?? 10_000;
  const auth = `Basic ${Buffer.from(`${conn.user}:${conn.password}`).toString('base64')}`;
  const hide = (text: string) => (conn.password ? text.replaceAll(conn.password, '***') : text);

  const call = (req: Icinga2Request) =>
    new Promise<Icinga2Answer>((resolve, reject) => {
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const maxBytes = req.maxBytes ?? 100_000;
      const headers: Record<string, string | number> = { accept: 'application/json', authorization: auth };
      if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      if (req.queryInBody) headers['x-http-method-override'] = 'GET';
      const r = request(
        new URL(req.path, base),
        {
          method: req.queryInBody ? 'POST' : req.method,
          headers,
          ca,
          rejectUnauthorized: !conn.insecure,
          servername: conn.tlsServerName,
          timeout: timeoutMs,
          signal: req.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            if (size < maxBytes) chunks.push(d);
            size += d.length;
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8').slice(0, maxBytes);
            let body: unknown;
            try {
              body = size <= maxBytes ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT' })));
      r.on('error', reject);
      r.end(payload);
    });

  const describeFailure = (err: unknown): string => {
    const e = err as NodeJS.ErrnoException;
    const text =
      e?.code === 'ECONNREFUSED'
        ? 'connection refused (is the ApiListener enabled on that port?)'
        : /certificate|self.signed|altnames|CERT/i.test(e?.message ?? '')
          ? `TLS verification failed: ${e.message} (set "ca" to Icinga's CA file, or "tlsServerName" to the name in its certificate)`
          : messageOf(err);
    return hide(text);
  };

  return { origin: base.origin, call, describeFailure, hide };
}

/** Icinga's own words for an answer that is not a success (`{"error":401,"status":"Unauthorized…"}`, HTML for a 400). */
export function icinga2StatusText(answer: Icinga2Answer): string {
  const body = answer.body as { status?: string } | undefined;
  if (typeof body?.status === 'string') return body.status;
  return answer.text
    .replace(/<[^>]+>/g, '')
    .trim()
    .slice(0, 200);
}
