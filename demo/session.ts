import type { NextFunction, Request, Response } from 'express';
import type { DemoStore, Tenant } from './store.ts';
import { generateToken, sha256 } from './passwords.ts';

const COOKIE = 'demo_session';
const TTL_MS = 12 * 60 * 60 * 1000;

export interface SignedIn {
  user: { id: string; email: string };
  tenant: Tenant;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

export function createSessions(store: DemoStore) {
  const current = (req: Request): SignedIn | null => {
    const token = readCookie(req, COOKIE);
    return token ? store.sessions.lookup(sha256(token)) : null;
  };
  return {
    current,
    signIn(res: Response, userId: string): void {
      const token = generateToken();
      store.sessions.create(sha256(token), userId, TTL_MS);
      // SameSite=Lax keeps other sites from posting forms with this cookie (the demo's CSRF defence).
      res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: TTL_MS });
    },
    signOut(req: Request, res: Response): void {
      const token = readCookie(req, COOKIE);
      if (token) store.sessions.delete(sha256(token));
      res.clearCookie(COOKIE, { path: '/' });
    },
    /** Puts the signed-in user in `res.locals.signedIn`, or sends the browser to the login page. */
    require(req: Request, res: Response, next: NextFunction): void {
      const signedIn = current(req);
      if (!signedIn) {
        res.redirect(303, '/login');
        return;
      }
      res.locals.signedIn = signedIn;
      next();
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

export const signedInOf = (res: Response): SignedIn => res.locals.signedIn as SignedIn;
