// Vigil's own credentials (the NSCA password, the Icinga API password, a tenant admin token) are read
// from Vigil's environment, and the suite's processes inherit that environment: without this rule
// every test, and any script or browser page it runs, could read them. So a variable the config
// reads with `${VAR}` is withheld from the suite, unless it is read only where the config describes
// what the suite gets (`environments`, `suites`: the base URL, `env:` maps). A variable named in a
// suite's or environment's `env:` still reaches the suite under that name: passing one on is explicit.

// Sections that say what the suite is given; every other section (tenants, exporters, api, and any
// added later) is Vigil's own business.
const SUITE_SECTIONS = new Set(['environments', 'suites']);

/** Names of the variables to keep out of the suite's environment, sorted, each once. */
export function withheldVariables(consumed: ReadonlyArray<{ name: string; section: string }>): string[] {
  const names = new Set(consumed.filter((c) => !SUITE_SECTIONS.has(c.section)).map((c) => c.name));
  return [...names].sort();
}
