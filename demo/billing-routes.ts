import express from 'express';
import type { DemoStore } from './store.ts';
import { signedInOf } from './session.ts';
import { alert, page, status } from './html.ts';

// A pretend card payment: real enough that a suite has a `@payments` test to skip in production.

const luhnValid = (digits: string): boolean => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
};

export function createBillingRouter({ store }: { store: DemoStore }): express.Router {
  const router = express.Router();

  const billingPage = (email: string, plan: string, message?: { ok?: string; error?: string }) =>
    page({
      title: 'Billing',
      user: email,
      body: `<h1>Billing</h1>${message?.error ? alert(message.error) : ''}${message?.ok ? status(message.ok) : ''}
        <section><p>Current plan: <strong>${plan === 'pro' ? 'Pro' : 'Free'}</strong></p>
        <form method="post" action="/billing/upgrade">
          <label for="card">Card number</label>
          <input id="card" name="card" type="text" inputmode="numeric" autocomplete="cc-number" required>
          <button type="submit">Upgrade to Pro</button>
        </form></section>`,
    });

  router.get('/billing', (req, res) => {
    const { user, tenant } = signedInOf(res);
    res.type('html').send(billingPage(user.email, tenant.plan, req.query.upgraded ? { ok: 'Payment accepted' } : undefined));
  });

  router.post('/billing/upgrade', (req, res) => {
    const { user, tenant } = signedInOf(res);
    const digits = typeof req.body?.card === 'string' ? req.body.card.replace(/[\s-]/g, '') : '';
    if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
      res
        .status(402)
        .type('html')
        .send(billingPage(user.email, tenant.plan, { error: 'Card declined: check the card number' }));
      return;
    }
    store.tenants.setPlan(tenant.id, 'pro');
    res.redirect(303, '/billing?upgraded=1');
  });

  return router;
}
