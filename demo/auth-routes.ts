import express from 'express';
import type { DemoStore } from './store.ts';
import type { Sessions } from './session.ts';
import type { FaultSwitch } from './faults.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import { alert, escapeHtml, page } from './html.ts';

export interface AuthDeps {
  store: DemoStore;
  sessions: Sessions;
  faults: FaultSwitch;
  /** Resolves after `ms`; the app cancels pending delays on close so a slow login cannot hold it open. */
  delay(ms: number): Promise<void>;
}

const loginPage = (email = '', error?: string) =>
  page({
    title: 'Log in',
    body: `<section><h1>Log in</h1>${error ? alert(error) : ''}
      <form method="post" action="/login">
        <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Log in</button>
      </form></section>`,
  });

export function createAuthRouter({ store, sessions, faults, delay }: AuthDeps): express.Router {
  const router = express.Router();
  const dummyHash = hashPassword(generatePassword());

  router.get('/', (req, res) => {
    res.redirect(303, sessions.current(req) ? '/notes' : '/login');
  });

  router.get('/login', (req, res) => {
    if (sessions.current(req)) {
      res.redirect(303, '/notes');
      return;
    }
    res.type('html').send(loginPage());
  });

  router.post('/login', async (req, res) => {
    const slowMs = faults.get().loginSlowMs;
    if (slowMs > 0) await delay(slowMs);
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const user = email ? store.users.byEmail(email) : null;
    // An unknown email costs the same scrypt as a wrong password, so timing does not reveal accounts.
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !valid) {
      res.status(401).type('html').send(loginPage(email, 'Invalid email or password'));
      return;
    }
    sessions.signIn(res, user.id);
    res.redirect(303, '/notes');
  });

  router.post('/logout', (req, res) => {
    sessions.signOut(req, res);
    res.redirect(303, '/login');
  });

  return router;
}
