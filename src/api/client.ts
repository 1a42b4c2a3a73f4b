// The one client of Vigil's HTTP API: `vigil gate --server` and the tests speak to a running
// `vigil serve` through it, so both exercise the same requests and read answers the same way.
import { VigilError, messageOf } from '../shared/errors.ts';

/** The server could not be asked (refused, reset, timed out): nothing is known of the run. */
export class ApiUnreachableError extends VigilError {}

export interface ApiAnswer {
  status: number;
  /** The content-type header, '' when absent. */
  type: string;
  /** The body parsed as JSON; {} when it is not JSON. */
  json: Record<string, unknown>;
}

export interface ApiRequestOptions {
  /** An object is sent as JSON; a string is sent as it is (with a JSON content-type unless headers say otherwise). */
  body?: unknown;
  /** Overrides the client's token for this request ('' sends none). */
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:9464 (a trailing slash is ignored). */
  server: string;
  token?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export function createApiClient(opts: ApiClientOptions) {
  const base = opts.server.replace(/\/+$/, '');

  async function request(method: string, path: string, o: ApiRequestOptions = {}): Promise<ApiAnswer> {
    const headers = new Headers(o.headers);
    const token = o.token ?? opts.token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? opts.timeoutMs ?? 30_000) });
      text = await res.text();
    } catch (err) {
      throw new ApiUnreachableError(`${method} ${base}${path}: ${messageOf(err)}`);
    }
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      // not JSON: callers look at status and type
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', json };
  }

  return {
    base,
    request,
    /** GET /api/suites: the suite × environment pairs the server runs. */
    suites: (o?: ApiRequestOptions) => request('GET', '/api/suites', o),
    /** POST /api/runs: 202 with a runId (wait: false), 200 with the RunResult (wait: true), 409 busy, 429 queue full. */
    trigger: (run: { suite: string; environment: string; wait?: boolean }, o?: ApiRequestOptions) => request('POST', '/api/runs', { ...o, body: run }),
    /** GET /api/runs/:id: a queued/running run, or the finished RunResult (state 'finished'). */
    run: (runId: string, o?: ApiRequestOptions) => request('GET', `/api/runs/${encodeURIComponent(runId)}`, o),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
