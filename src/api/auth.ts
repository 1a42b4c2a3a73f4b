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
