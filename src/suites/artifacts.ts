import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface PruneOptions {
  /** Folder holding one sub-folder per run. */
  dir: string;
  /** Keep at most this many newest run folders. */
  keep: number;
  /** Delete run folders older than this, whatever their rank. */
  maxAgeMs: number;
  now?: Date;
}

/**
 * Artifact retention (after cloudprober's probes/browser/artifacts/cleanup.go): at most the newest
 * `keep` run folders stay, and none older than `maxAgeMs`. Returns the removed paths.
 * A missing `dir` is nothing to prune.
 */
export function pruneArtifacts({ dir, keep, maxAgeMs, now = new Date() }: PruneOptions): string[] {
  let entries: Array<{ full: string; mtimeMs: number }>;
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => {
        const full = path.join(dir, e.name);
        return { full, mtimeMs: statSync(full).mtimeMs };
      });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const removed: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (index < keep && now.getTime() - entry.mtimeMs <= maxAgeMs) continue;
    rmSync(entry.full, { recursive: true, force: true });
    removed.push(entry.full);
  }
  return removed;
}
