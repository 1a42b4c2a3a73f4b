// Sorting names: plain code-unit order. Vigil's names are ASCII (NAME_PATTERN, Nagios and HAProxy
// names), and localeCompare or Intl.Collator would load ICU's collation data (~2 MB that stays
// resident) into a long-running `vigil serve` (test/operability/memory-rules.test.ts keeps them out).
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
