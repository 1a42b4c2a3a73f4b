import { DatabaseSync } from 'node:sqlite';
import { nanoid } from 'nanoid';

// Every tenant-scoped query takes the tenant id: isolation is enforced here, not left to each route.

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
  plan: 'free' | 'pro';
}
export interface User {
  id: string;
  tenantId: string;
  email: string;
  passwordHash: string;
}
export interface Note {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
}
export interface StoredFileInfo {
  id: string;
  name: string;
  contentType: string;
  size: number;
  createdAt: string;
}
export interface StoredFile extends StoredFileInfo {
  data: Buffer;
}

export type DemoStore = ReturnType<typeof openDemoStore>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    plan TEXT NOT NULL DEFAULT 'free', created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    title TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS notes_tenant ON notes(tenant_id);
  CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL,
    created_at TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS files_tenant ON files(tenant_id);
`;

type Row = Record<string, unknown>;
const str = (row: Row, key: string) => String(row[key]);

const toTenant = (r: Row): Tenant => ({
  id: str(r, 'id'),
  name: str(r, 'name'),
  createdAt: str(r, 'created_at'),
  plan: r.plan === 'pro' ? 'pro' : 'free',
});
const toNote = (r: Row): Note => ({
  id: str(r, 'id'),
  title: str(r, 'title'),
  body: str(r, 'body'),
  updatedAt: str(r, 'updated_at'),
});
const toFileInfo = (r: Row): StoredFileInfo => ({
  id: str(r, 'id'),
  name: str(r, 'name'),
  contentType: str(r, 'content_type'),
  size: Number(r.size),
  createdAt: str(r, 'created_at'),
});

export function openDemoStore(path = ':memory:') {
  const db = new DatabaseSync(path);
  // Several demo processes may share one file (demo/stack: members behind a load balancer): wait for
  // another writer's lock instead of failing at once with SQLITE_BUSY.
  db.exec('PRAGMA busy_timeout = 5000;');
  db.exec('PRAGMA foreign_keys = ON;');
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL;');
  db.exec(SCHEMA);
  const now = () => new Date().toISOString();

  return {
    tenants: {
      /** Returns null when the name is taken (names are unique regardless of case). */
      create(name: string, owner: { email: string; passwordHash: string }): Tenant | null {
        const tenant: Tenant = { id: `t_${nanoid(12)}`, name, createdAt: now(), plan: 'free' };
        db.exec('BEGIN');
        try {
          const taken = db.prepare('SELECT 1 FROM tenants WHERE name = ?').get(name);
          if (taken) {
            db.exec('ROLLBACK');
            return null;
          }
          db.prepare('INSERT INTO tenants (id, name, plan, created_at) VALUES (?, ?, ?, ?)').run(tenant.id, tenant.name, tenant.plan, tenant.createdAt);
          db.prepare('INSERT INTO users (id, tenant_id, email, password_hash) VALUES (?, ?, ?, ?)').run(
            `u_${nanoid(12)}`,
            tenant.id,
            owner.email,
            owner.passwordHash,
          );
          db.exec('COMMIT');
          return tenant;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      },
      list: (): Tenant[] => (db.prepare('SELECT * FROM tenants ORDER BY created_at, name').all() as Row[]).map(toTenant),
      get(id: string): Tenant | null {
        const row = db.prepare('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
        return row ? toTenant(row) : null;
      },
      /** Cascades to the tenant's users, sessions, notes and files. */
      delete: (id: string): boolean => db.prepare('DELETE FROM tenants WHERE id = ?').run(id).changes > 0,
      setPlan(id: string, plan: Tenant['plan']): void {
        db.prepare('UPDATE tenants SET plan = ? WHERE id = ?').run(plan, id);
      },
    },
    users: {
      byEmail(email: string): User | null {
        const row = db.prepare('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
        return row ? { id: str(row, 'id'), tenantId: str(row, 'tenant_id'), email: str(row, 'email'), passwordHash: str(row, 'password_hash') } : null;
      },
    },
    sessions: {
      create(tokenHash: Buffer, userId: string, ttlMs: number): void {
        db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now());
        db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)').run(tokenHash, userId, Date.now() + ttlMs);
      },
      /** The signed-in user and their tenant, or null for an unknown or expired session. */
      lookup(tokenHash: Buffer): { user: Pick<User, 'id' | 'email'>; tenant: Tenant } | null {
        const row = db
          .prepare(
            `SELECT u.id AS user_id, u.email, t.* FROM sessions s
             JOIN users u ON u.id = s.user_id JOIN tenants t ON t.id = u.tenant_id
            WHERE s.token_hash = ? AND s.expires_at >= ?`,
          )
          .get(tokenHash, Date.now()) as Row | undefined;
        return row ? { user: { id: str(row, 'user_id'), email: str(row, 'email') }, tenant: toTenant(row) } : null;
      },
      delete(tokenHash: Buffer): void {
        db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
      },
    },
    notes: {
      list: (tenantId: string): Note[] =>
        (db.prepare('SELECT * FROM notes WHERE tenant_id = ? ORDER BY updated_at DESC, id').all(tenantId) as Row[]).map(toNote),
      get(tenantId: string, id: string): Note | null {
        const row = db.prepare('SELECT * FROM notes WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row ? toNote(row) : null;
      },
      create(tenantId: string, title: string, body: string): Note {
        const note: Note = { id: `n_${nanoid(12)}`, title, body, updatedAt: now() };
        db.prepare('INSERT INTO notes (id, tenant_id, title, body, updated_at) VALUES (?, ?, ?, ?, ?)').run(note.id, tenantId, title, body, note.updatedAt);
        return note;
      },
      update: (tenantId: string, id: string, title: string, body: string): boolean =>
        db.prepare('UPDATE notes SET title = ?, body = ?, updated_at = ? WHERE tenant_id = ? AND id = ?').run(title, body, now(), tenantId, id).changes > 0,
      delete: (tenantId: string, id: string): boolean => db.prepare('DELETE FROM notes WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0,
    },
    files: {
      list: (tenantId: string): StoredFileInfo[] =>
        (db.prepare('SELECT id, name, content_type, size, created_at FROM files WHERE tenant_id = ? ORDER BY created_at DESC, id').all(tenantId) as Row[]).map(
          toFileInfo,
        ),
      get(tenantId: string, id: string): StoredFile | null {
        const row = db.prepare('SELECT * FROM files WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row ? { ...toFileInfo(row), data: Buffer.from(row.data as Uint8Array) } : null;
      },
      create(tenantId: string, file: { name: string; contentType: string; data: Buffer }): StoredFileInfo {
        const info: StoredFileInfo = {
          id: `f_${nanoid(12)}`,
          name: file.name,
          contentType: file.contentType,
          size: file.data.length,
          createdAt: now(),
        };
        db.prepare('INSERT INTO files (id, tenant_id, name, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          info.id,
          tenantId,
          info.name,
          info.contentType,
          info.size,
          file.data,
          info.createdAt,
        );
        return info;
      },
    },
    close(): void {
      if (db.isOpen) db.close();
    },
  };
}
