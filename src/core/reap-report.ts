// What one reaper pass did: written by tenants/reaper, read by the Prometheus exporter and the CLI.

export const REAP_SOURCES = ['ledger', 'remote'] as const;
/** Where a reaped tenant was found: a ledger row past its TTL, or a remote tenant the ledger did not know. */
export type ReapSource = (typeof REAP_SOURCES)[number];

export interface ReapReport {
  /** Ledger rows past the TTL that were destroyed (or found already gone) and marked `destroyed`. */
  ledgerReaped: number;
  /** Remote tenants with the prefix, past the TTL, unknown to the ledger, destroyed. */
  remoteReaped: number;
  /** Per reaped tenant, where it lived and where it was found: for per-environment metrics. */
  reaped: Array<{ environment: string; source: ReapSource }>;
  /** `environment`/`source` are absent for failures that are not about one tenant (a provisioner, a list). */
  failed: Array<{ name: string; error: string; environment?: string; source?: ReapSource }>;
  /** Remote tenants with the prefix, past the TTL, that the ledger does not know. */
  orphansFound: number;
}
