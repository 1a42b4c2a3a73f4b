import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// Linux /proc is the source of truth for "is anything of this group still alive": Chromium helpers can
// leave the process group, and orphans are reparented to init, losing their ancestry. Every process
// of a suite run carries a unique marker in its environment, so we look for that, not for names.

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
    if (!`${environ}\0`.includes(needle)) continue;
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

/**
 * Whether any live process is in the group. A group of zombies answers kill(0) too: where PID 1 does
 * not reap orphans (not every container has an init), a killed group would look alive for ever.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return allPids().some((pid) => {
    const info = readStat(pid);
    return info !== undefined && info.pgrp === pgid && !info.zombie;
  });
}

/** What is left of a process group: the group itself, and (with a marker) processes that left it. */
const anythingLeft = (pgid: number, marker: string | undefined) => groupAlive(pgid) || (marker !== undefined && findMarkedProcesses(marker).length > 0);

/**
 * Ends a process group: SIGTERM to the group (Playwright then closes browsers and runs teardown),
 * up to `graceMs` for it to go, then SIGKILL to the group, its descendants and, with a marker,
 * anything still carrying it. Resolves when nothing of it is left (or after a bounded wait).
 */
export async function killGroup(pgid: number, graceMs: number, marker?: string): Promise<void> {
  signal(-pgid, 'SIGTERM');
  const graceEnd = Date.now() + graceMs;
  while (Date.now() < graceEnd && anythingLeft(pgid, marker)) {
    await sleep(50);
  }
  for (let round = 0; round < 50; round++) {
    // Collect before killing: once a parent dies its children are reparented and the tree is lost.
    const targets = new Set([...findDescendants(pgid), ...(marker === undefined ? [] : findMarkedProcesses(marker))]);
    if (!groupAlive(pgid) && targets.size === 0) return;
    signal(-pgid, 'SIGKILL');
    for (const pid of targets) signal(pid, 'SIGKILL');
    await sleep(50);
  }
}
