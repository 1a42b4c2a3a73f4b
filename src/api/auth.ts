// Bearer tokens compared in constant time: hashing both sides first makes the comparison independent of
// the token's length too, so neither its length nor a prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthCheck = 'ok' | 'disabled' | 'missing' | 'wrong';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Checks a presented token against the configured one; `disabled` when none is configured. */
export function checkToken(presented: string | undefined, token: string | undefined): AuthCheck {
  if (!token) return 'disabled';
  if (!presented) return 'missing';
  return timingSafeEqual(digest(presented), digest(token)) ? 'ok' : 'wrong';
}

/**
 * Checks a presented token against every configured one (unset ones ignored), each in constant time
 * and all of them every time; `disabled` when none is configured.
 */
export function checkAnyToken(presented: string | undefined, tokens: ReadonlyArray<string | undefined>): AuthCheck {
  const configured = tokens.filter((t): t is string => Boolean(t));
  if (!configured.length) return 'disabled';
  if (!presented) return 'missing';
  const matches = configured.map((t) => checkToken(presented, t) === 'ok');
  return matches.includes(true) ? 'ok' : 'wrong';
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export const AUTH_MESSAGES: Record<Exclude<AuthCheck, 'ok'>, { status: number; message: string }> = {
  disabled: { status: 403, message: 'triggering is disabled: set api.token (e.g. token: "${VIGIL_API_TOKEN}") in the config and restart' },
  missing: { status: 401, message: 'send the API token as "Authorization: Bearer <token>"' },
  wrong: { status: 401, message: 'the API token is wrong: use the value of api.token (VIGIL_API_TOKEN)' },
};

/**
 * The token of `Authorization: Bearer <token>`, or the password of `Authorization: Basic` (any user
 * name): a browser cannot send a bearer token with a link it follows, but asks for Basic credentials.
 */
export function tokenOf(header: string | undefined): string | undefined {
  const bearer = bearerOf(header);
  if (bearer) return bearer;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}
