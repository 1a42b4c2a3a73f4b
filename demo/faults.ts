import { z } from 'zod';

// Each switch breaks exactly one feature, so a test or a demo can show Vigil catching that failure.
export interface Faults {
  /** File upload answers 500 and stores nothing. */
  uploads: boolean;
  /** Note search answers 500. */
  search: boolean;
  /** Login waits this long before answering (0 = off). */
  loginSlowMs: number;
  /** The first search of each tenant answers 500, later ones work: a suite with retries is `flaky`. */
  flakySearch: boolean;
  /** The admin tenant API answers 503 ('down') or, for create, 200 with an HTML body ('garbage'). */
  admin: 'ok' | 'down' | 'garbage';
  /** The logo every page loads (/logo.svg) answers 500: no test fails, only the app's metrics show it. */
  logo: boolean;
}

export const healthyFaults = (): Faults => ({
  uploads: false,
  search: false,
  loginSlowMs: 0,
  flakySearch: false,
  admin: 'ok',
  logo: false,
});

/** What `PUT /admin/faults` accepts: any subset of the switches, nothing else. */
export const faultsPatchSchema = z
  .strictObject({
    uploads: z.boolean(),
    search: z.boolean(),
    loginSlowMs: z.number().int().min(0).max(600_000),
    flakySearch: z.boolean(),
    admin: z.enum(['ok', 'down', 'garbage']),
    logo: z.boolean(),
  })
  .partial();

export const LOGIN_SLOW_MS = 15_000;

const NAMED_FAULTS: Record<string, Partial<Faults>> = {
  uploads: { uploads: true },
  search: { search: true },
  'flaky-search': { flakySearch: true },
  'login-slow': { loginSlowMs: LOGIN_SLOW_MS },
  'admin-down': { admin: 'down' },
  'admin-garbage': { admin: 'garbage' },
  logo: { logo: true },
};

/** Parses `DEMO_FAULTS` ("uploads,search,login-slow"); an unknown name throws, listing the known ones. */
export function parseFaultList(text: string | undefined): Partial<Faults> {
  const faults: Partial<Faults> = {};
  for (const raw of (text ?? '').split(',')) {
    const name = raw.trim();
    if (!name) continue;
    const fault = NAMED_FAULTS[name];
    if (!fault) {
      throw new Error(`DEMO_FAULTS: unknown fault "${name}"; known faults: ${Object.keys(NAMED_FAULTS).join(', ')}`);
    }
    Object.assign(faults, fault);
  }
  return faults;
}

export interface FaultSwitch {
  get(): Faults;
  set(patch: Partial<Faults>): Faults;
  /** Whether this search should fail: always under `search`, once per tenant under `flakySearch`. */
  searchFails(tenantId: string): boolean;
}

export function createFaultSwitch(initial: Partial<Faults> = {}): FaultSwitch {
  let current: Faults = { ...healthyFaults(), ...initial };
  // Tenants that already had their one failing search since flakySearch was switched on.
  const searchedOnce = new Set<string>();
  return {
    get: () => ({ ...current }),
    set(patch) {
      if ('flakySearch' in patch) searchedOnce.clear();
      current = { ...current, ...patch };
      return { ...current };
    },
    searchFails(tenantId) {
      if (current.search) return true;
      if (!current.flakySearch || searchedOnce.has(tenantId)) return false;
      searchedOnce.add(tenantId);
      return true;
    },
  };
}
