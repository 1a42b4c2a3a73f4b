// Queues a run rather than starting one the box cannot hold: before each start beyond the first, the
// memory free right now (MemAvailable, or the container's cgroup headroom) must cover one more run.
// api.concurrency is a ceiling set once; this looks at the box as it is (other processes, a suite that
// grew), so a burst never pushes the box into swap or the OOM killer, which would fail every run at once.
import { availableMemoryBytes } from '../shared/box-capacity.ts';

const MiB = 1024 * 1024;

export interface MemoryGuardOptions {
  /** What one more run needs, MiB (api.memoryPerRun). */
  perRunMiB: number;
  /** Bytes free now; undefined when unknown (then the guard admits). Default: /proc/meminfo and the cgroup. */
  available?: () => number | undefined;
}

export interface MemoryGuard {
  /** Whether one more run fits now; `freeMiB` says what was seen, for the log. */
  admits(): { ok: boolean; freeMiB?: number; perRunMiB: number };
}

export function createMemoryGuard(opts: MemoryGuardOptions): MemoryGuard {
  const available = opts.available ?? availableMemoryBytes;
  return {
    admits() {
      const bytes = available();
      if (bytes === undefined || opts.perRunMiB <= 0) return { ok: true, perRunMiB: opts.perRunMiB };
      const freeMiB = Math.floor(bytes / MiB);
      return { ok: freeMiB >= opts.perRunMiB, freeMiB, perRunMiB: opts.perRunMiB };
    },
  };
}
