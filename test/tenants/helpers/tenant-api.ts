// A small multi-tenant admin API standing in for the app's: create, list and delete tenants in
// memory, guarded by a bearer token, with switchable failure modes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Mode = 'ok' | 'error-500' | 'html' | 'slow' | 'missing-password' | 'echo-secrets-500';

export interface ApiTenant {
  id: string;
  name: string;
  createdAt: string;
  owner: { email: string; password: string };
}

export interface TenantApi {
  url: string;
  token: string;
  tenants: Map<string, ApiTenant>;
  /** Mode per call: create, list, delete. */
  modes: { create: Mode; list: Mode; delete: Mode };
  seed(name: string, createdAt: Date): ApiTenant;
  requests: string[];
  close(): Promise<void>;
}

export async function startTenantApi(): Promise<TenantApi> {
  const token = `tok-${randomBytes(12).toString('hex')}`;
  const tenants = new Map<string, ApiTenant>();
  const modes: TenantApi['modes'] = { create: 'ok', list: 'ok', delete: 'ok' };
  const requests: string[] = [];
  let nextId = 1;
  const timers = new Set<NodeJS.Timeout>();

  const make = (name: string, createdAt: Date): ApiTenant => {
    const tenant: ApiTenant = {
      id: `t${nextId++}`,
      name,
      createdAt: createdAt.toISOString(),
      owner: { email: `${name}@example.test`, password: `pw-${randomBytes(10).toString('hex')}` },
    };
    tenants.set(tenant.id, tenant);
    return tenant;
  };

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const failIfAsked = (mode: Mode, req: IncomingMessage, res: ServerResponse, tenant?: ApiTenant): boolean => {
    switch (mode) {
      case 'error-500':
        send(res, 500, { error: 'database is locked' });
        return true;
      case 'echo-secrets-500':
        // As a careless app's error page would: the request's credentials and the tenant's password.
        send(res, 500, `boom for ${req.headers.authorization} owner password=${tenant?.owner.password}`, 'text/plain');
        return true;
      case 'html':
        send(res, 200, '<!doctype html><html><head><title>Sign in</title></head><body>login first</body></html>', 'text/html');
        return true;
      case 'slow': {
        const timer = setTimeout(() => send(res, 200, {}), 5_000);
        timers.add(timer);
        return true;
      }
      default:
        return false;
    }
  };

  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'unauthorized' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;

    if (req.method === 'POST' && path === '/admin/tenants') {
      if (failIfAsked(modes.create, req, res)) return;
      const { name } = JSON.parse(raw) as { name: string };
      const tenant = make(name, new Date());
      if (modes.create === 'missing-password') {
        return send(res, 201, { id: tenant.id, name, owner: { email: tenant.owner.email } });
      }
      return send(res, 201, tenant);
    }
    if (req.method === 'GET' && path === '/admin/tenants') {
      if (failIfAsked(modes.list, req, res)) return;
      return send(res, 200, { tenants: [...tenants.values()].map(({ id, name, createdAt }) => ({ id, name, createdAt })) });
    }
    const match = /^\/admin\/tenants\/([^/]+)$/.exec(path);
    if (req.method === 'DELETE' && match) {
      const tenant = tenants.get(decodeURIComponent(match[1]));
      if (failIfAsked(modes.delete, req, res, tenant)) return;
      if (!tenant) return send(res, 404, { error: 'no such tenant' });
      tenants.delete(tenant.id);
      res.writeHead(204).end();
      return;
    }
    send(res, 404, { error: 'no route' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    tenants,
    modes,
    requests,
    seed: make,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
