// Splitting suites across replicas without a coordinator: every replica computes the same owner for a
// suite × environment from its names alone, so two replicas started with `--shard 0/2` and `--shard 1/2`
// never run the same pair, and a pair keeps its replica across restarts and deploys. The hash must not
// change between releases: doing so moves pairs and, during a rolling deploy, runs some twice.
import { ConfigError } from '../shared/errors.ts';

export interface Shard {
  /** 0-based: a Kubernetes StatefulSet's pod ordinal can be used as is. */
  index: number;
  count: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// FNV-1a over UTF-8: tiny, dependency-free, and spreads short similar names ("checkout", "checkout-eu") well.
function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/** Which of `n` shards owns this suite × environment: an integer in [0, n). */
export function shardOf(suite: string, environment: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shard count must be a positive integer, got ${n}`);
  // The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
  return fnv1a(`${suite}\u0000${environment}`) % n;
}

/** Parses `--shard i/n` (0 ≤ i < n). Errors name the flag and say what a valid value looks like. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) {
    throw new ConfigError(`"${text}" is not a shard: expected i/n with 0 ≤ i < n, e.g. 0/3 (this replica's index / number of replicas)`, { where: '--shard' });
  }
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new ConfigError(`"${text}": the number of shards must be at least 1`, { where: '--shard' });
  if (index >= count) {
    throw new ConfigError(`"${text}": the index is 0-based and must be below ${count} (valid: 0/${count} … ${count - 1}/${count})`, { where: '--shard' });
  }
  return { index, count };
}

/** Whether this replica runs the pair. */
export function ownsPair(shard: Shard, suite: string, environment: string): boolean {
  return shardOf(suite, environment, shard.count) === shard.index;
}
