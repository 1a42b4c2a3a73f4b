import express, { type NextFunction, type Request, type Response } from 'express';
import type { DemoStore, Tenant } from './store.ts';
import { faultsPatchSchema, type FaultSwitch } from './faults.ts';
import { generatePassword, hashPassword, secretsEqual } from './passwords.ts';

// The tenant admin API is what provisioners (Vigil's http/command/module kinds) talk to.

export interface AdminDeps {
  store: DemoStore;
  adminToken: string;
  faults: FaultSwitch;
}

// Names end up in an email domain and in URLs; Vigil's are `${prefix}-${suite}-${id}`.
const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const publicTenant = ({ id, name, createdAt }: Tenant) => ({ id, name, createdAt });

export function createAdminRouter({ store, adminToken, faults }: AdminDeps): express.Router {
  const router = express.Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
    if (!secretsEqual(token, adminToken)) {
      res.status(401).json({ error: 'missing or invalid admin token (expected "Authorization: Bearer <token>")' });
      return;
    }
    next();
  });
  router.use(express.json({ limit: '16kb' }));

  router.get('/faults', (_req, res) => {
    res.json(faults.get());
  });
  router.put('/faults', (req, res) => {
    const parsed = faultsPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid fault switches', issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
      return;
    }
    res.json(faults.set(parsed.data));
  });

  // The fault switch itself must keep working, so only the tenant API goes down.
  router.use('/tenants', (_req, res, next) => {
    if (faults.get().admin === 'down') {
      res.status(503).json({ error: 'tenant service unavailable' });
      return;
    }
    next();
  });

  router.post('/tenants', async (req, res) => {
    if (faults.get().admin === 'garbage') {
      res.status(200).type('html').send('<html><body><h1>Welcome to nginx!</h1><!-- upstream misrouted --></body></html>');
      return;
    }
    const name: unknown = req.body?.name;
    if (typeof name !== 'string' || !TENANT_NAME.test(name)) {
      res.status(400).json({ error: 'body must be {"name": "..."} with 1-100 letters, digits, "-" or "_", starting with a letter or digit' });
      return;
    }
    const password = generatePassword();
    const email = `owner@${name.toLowerCase()}.example`;
    const tenant = store.tenants.create(name, { email, passwordHash: await hashPassword(password) });
    if (!tenant) {
      res.status(409).json({ error: `a tenant named "${name}" already exists` });
      return;
    }
    res.status(201).json({ ...publicTenant(tenant), owner: { email, password } });
  });

  router.get('/tenants', (_req, res) => {
    res.json({ tenants: store.tenants.list().map(publicTenant) });
  });

  router.get('/tenants/:id', (req, res) => {
    const tenant = store.tenants.get(req.params.id);
    if (!tenant) {
      res.status(404).json({ error: `no tenant with id "${req.params.id}"` });
      return;
    }
    res.json(publicTenant(tenant));
  });

  router.delete('/tenants/:id', (req, res) => {
    if (!store.tenants.delete(req.params.id)) {
      res.status(404).json({ error: `no tenant with id "${req.params.id}"` });
      return;
    }
    res.status(204).end();
  });

  return router;
}
