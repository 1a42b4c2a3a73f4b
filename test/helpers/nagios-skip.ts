// Monitoring servers are optional on a laptop but required in CI: a missing binary skips locally
// (with the reason) and fails in CI, so CI can never go green by silently skipping.
import { test } from 'node:test';

/**
 * Returns a skip message (for `describe(name, { skip })`) or false; in CI a missing binary fails.
 * `packages`: the Debian packages that bring it (default: the Nagios/Icinga ones).
 */
export function requireBinary(name: string, available: boolean, packages = 'nagios4-core nsca nsca-client icinga2-bin icinga2-common'): string | false {
  if (available) return false;
  const message = `${name} is not installed (apt-get install --no-install-recommends ${packages})`;
  if (process.env.CI) {
    test(`${name} must be installed in CI`, () => {
      throw new Error(message);
    });
    return message;
  }
  return message;
}
