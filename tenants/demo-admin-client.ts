// The demo app's tenant admin API, as the command and module provisioners use it. Messages name the
// request and what went wrong; they never carry the admin token or a tenant password.

export interface DemoTenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface CreatedDemoTenant extends DemoTenant {
  email: string;
  password: string;
}

export interface DemoAdminClient {
  create(name: string): Promise<CreatedDemoTenant>;
  /** Resolves `false` when the tenant was already gone (404): deleting is idempotent. */
  remove(id: string): Promise<boolean>;
  list(): Promise<DemoTenant[]>;
}

export interface DemoAdminClientOptions {
  baseURL: string;
  adminToken: string;
  signal?: AbortSignal;
  /** Per request; the caller's signal may end it sooner. */
  timeoutMs?: number;
}

const excerpt = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function createDemoAdminClient({ baseURL, adminToken, signal, timeoutMs = 20_000 }: DemoAdminClientOptions): DemoAdminClient {
  if (!baseURL) throw new Error('demo admin API: the environment has no baseURL');
  if (!adminToken) throw new Error('demo admin API: no admin token (set DEMO_ADMIN_TOKEN or options.adminToken)');
  const base = baseURL.replace(/\/+$/, '');

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; what: string }> {
    const url = `${base}${path}`;
    const what = `${method} ${url}`;
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new Error(`demo admin API: ${what} failed: ${cause}`);
    }
    return { status: response.status, text: await response.text(), what };
  }

  function json(answer: { text: string; what: string; status: number }): unknown {
    try {
      return JSON.parse(answer.text);
    } catch {
      throw new Error(`demo admin API: ${answer.what} answered ${answer.status} but the body is not JSON: ${excerpt(answer.text)}`);
    }
  }

  function expectStatus(answer: { status: number; text: string; what: string }, ok: number[]): void {
    if (!ok.includes(answer.status)) {
      throw new Error(`demo admin API: ${answer.what} answered ${answer.status}: ${excerpt(answer.text)}`);
    }
  }

  const toTenant = (item: unknown, what: string): DemoTenant => {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.name !== 'string') {
      throw new Error(`demo admin API: ${what} returned a tenant without id and name: ${excerpt(JSON.stringify(item))}`);
    }
    return { id: item.id, name: item.name, createdAt: String(item.createdAt ?? '') };
  };

  return {
    async create(name) {
      const answer = await request('POST', '/admin/tenants', { name });
      expectStatus(answer, [200, 201]);
      const body = json(answer);
      const owner = isRecord(body) ? body.owner : undefined;
      if (!isRecord(owner) || typeof owner.email !== 'string' || typeof owner.password !== 'string') {
        // The body holds the password when it is there at all, so it is not quoted.
        throw new Error(`demo admin API: ${answer.what} answered without owner.email and owner.password`);
      }
      return { ...toTenant(body, answer.what), email: owner.email, password: owner.password };
    },
    async remove(id) {
      const answer = await request('DELETE', `/admin/tenants/${encodeURIComponent(id)}`);
      expectStatus(answer, [200, 204, 404]);
      return answer.status !== 404;
    },
    async list() {
      const answer = await request('GET', '/admin/tenants');
      expectStatus(answer, [200]);
      const body = json(answer);
      const tenants = isRecord(body) ? body.tenants : undefined;
      if (!Array.isArray(tenants)) throw new Error(`demo admin API: ${answer.what} answered without a "tenants" array`);
      return tenants.map((t) => toTenant(t, answer.what));
    },
  };
}
