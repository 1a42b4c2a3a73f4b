// Kept artifacts show the app as the test tenant saw it: page snapshots, screenshots, the tenant's
// session cookies in trace network logs. Secrets Vigil knows are scrubbed from them, but what the app
// displayed is not Vigil's to judge, so when the operator has configured a token they are served only
// to a request that presents one: `api.readToken` (read access) or `api.token` (whoever may trigger
// runs may read their artifacts). Without either, they are served to anyone, as before; serve logs it.
//
// A script sends `Authorization: Bearer <token>`. A browser following a link on the run page cannot
// add a header, so Basic authentication is accepted too (any user name, the token as password): the
// browser asks for it itself, remembers it for the session, and no token ever appears in a URL,
// a page, a log line or the browser's history.
import type { RequestHandler } from 'express';
import { checkAnyToken, tokenOf } from './auth.ts';
import { sendError } from './http-error.ts';

const REALM = 'Vigil artifacts';

/** True when artifacts need a token: some token is configured. */
export const artifactsNeedToken = (tokens: ReadonlyArray<string | undefined>): boolean => tokens.some(Boolean);

/** Lets a request through when no token is configured or it presents one of `tokens`; else 401. */
export function requireReadToken(tokens: ReadonlyArray<string | undefined>): RequestHandler {
  return (req, res, next) => {
    const check = checkAnyToken(tokenOf(req.get('authorization')), tokens);
    if (check === 'ok' || check === 'disabled') return next();
    // Two challenges: a browser answers the Basic one with its own dialog, a script knows Bearer.
    res.setHeader('www-authenticate', [`Basic realm="${REALM}", charset="UTF-8"`, `Bearer realm="${REALM}"`]);
    sendError(
      res,
      401,
      check === 'missing'
        ? 'artifacts need a token: send "Authorization: Bearer <token>" with the value of api.readToken or api.token (a browser asks for it: any user name, the token as password)'
        : 'the token is wrong: use the value of api.readToken or api.token',
    );
  };
}
