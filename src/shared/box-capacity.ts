// How many suite runs this box can hold at once, from its cores and memory (the container's limits
// where a cgroup sets them, not the host's). The default of api.concurrency and the memory guard of the
// scheduler both come from here; docs/running-playwright.md ("Capacity") explains the numbers with the
// figures of `npm run bench` behind them.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const MiB = 1024 * 1024;

/**
 * What one concurrent run of a typical suite holds at its peak (PSS of its Playwright runner, worker and
 * browser, or its share of a shared browser), with headroom: bench: 320–360 MiB for the demo suite at concurrency 4 on the headless shell, 444 MiB on the full browser.
 */
export const RUN_MEMORY_MIB = 450;
/** Vigil itself, the page cache a browser needs to start quickly, and the OS. */
export const RESERVED_MIB = 768;
/**
 * Runs per core. A monitoring run mostly waits on the app under test (network, server time), so a core
 * carries more than one: runs/hour still rose from 2 to 4 runs on 2 cores in the bench (more is not measured).
 */
export const RUNS_PER_CORE = 2;
const MAX_CONCURRENCY = 64;

export interface Box {
  cores: number;
  memoryBytes: number;
}

export function readBox(): Box {
  const cgroup = cgroupNumber('/sys/fs/cgroup/memory.max');
  return { cores: os.availableParallelism(), memoryBytes: Math.min(os.totalmem(), cgroup ?? Infinity) };
}

/** min(cores × RUNS_PER_CORE, (memory − RESERVED_MIB) / per-run MiB), at least 1, at most 64. */
export function defaultConcurrency(box: Box = readBox(), perRunMiB: number = RUN_MEMORY_MIB): number {
  const byCpu = box.cores * RUNS_PER_CORE;
  const byMemory = Math.floor((box.memoryBytes / MiB - RESERVED_MIB) / perRunMiB);
  return Math.max(1, Math.min(MAX_CONCURRENCY, byCpu, byMemory));
}

/**
 * Memory a new process can have without swapping or the OOM killer: MemAvailable, or less when this
 * container's cgroup limit is nearer. undefined where neither can be read (not Linux).
 */
export function availableMemoryBytes(): number | undefined {
  let available: number | undefined;
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) available = Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  const max = cgroupNumber('/sys/fs/cgroup/memory.max');
  const current = cgroupNumber('/sys/fs/cgroup/memory.current');
  if (max !== undefined && current !== undefined) {
    // memory.current counts page cache too; the inactive part is given back before anything is killed.
    const reclaimable = cgroupStat('inactive_file') ?? 0;
    available = Math.min(available ?? Infinity, max - current + reclaimable);
  }
  return available;
}

// cgroup v2 files hold a number or "max" (no limit).
function cgroupNumber(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function cgroupStat(key: string): number | undefined {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync('/sys/fs/cgroup/memory.stat', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
