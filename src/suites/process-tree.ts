import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// Linux /proc is the source of truth for "is anything of this run still alive": Chromium helpers can
// leave the process group, and orphans are reparented to init, losing their ancestry. Every process
// of a run carries a unique marker in its environment, so we look for that, not for names.

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  zombie: boolean;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Live (non-zombie) processes whose environment holds `VIGIL_RUN_MARKER=<marker>`. */
export function findMarkedProcesses(marker: string): number[] {
  const needle = `VIGIL_RUN_MARKER=${marker}\0`;
  const found: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!(environ + '\0').includes(needle)) continue;
    const info = readStat(pid);
    if (info && !info.zombie) found.push(pid);
  }
  return found;
}

/** Descendants of `root` (not root itself), found through parent links. */
export function findDescendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const info = readStat(pid);
    if (!info) continue;
    const list = children.get(info.ppid) ?? [];
    list.push(pid);
    children.set(info.ppid, list);
  }
  const result: number[] = [];
  const queue = [root];
  while (queue.length > 0 && result.length < 10_000) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a run's processes: SIGTERM to the group (Playwright then closes browsers and runs teardown),
 * up to `graceMs` for it to go, then SIGKILL to the group, its descendants and anything still
 * carrying the marker. Resolves when nothing of the run is left (or after a bounded wait).
 */
export async function killRun(pgid: number, marker: string, graceMs = 5000): Promise<void> {
  signal(-pgid, 'SIGTERM');
  const graceEnd = Date.now() + graceMs;
  while (Date.now() < graceEnd && (groupAlive(pgid) || findMarkedProcesses(marker).length > 0)) {
    await sleep(100);
  }
  for (let round = 0; round < 50; round++) {
    // Collect before killing: once a parent dies its children are reparented and the tree is lost.
    const targets = new Set([...findDescendants(pgid), ...findMarkedProcesses(marker)]);
    if (!groupAlive(pgid) && targets.size === 0) return;
    signal(-pgid, 'SIGKILL');
    for (const pid of targets) signal(pid, 'SIGKILL');
    await sleep(100);
  }
}
