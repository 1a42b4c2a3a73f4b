// `vigil serve --shard i/n`: replicas split suites between them by hashing names, with no coordinator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownsPair, parseShard, shardOf } from '../../src/scheduler/shard.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const keys = Array.from({ length: 1000 }, (_, i) => ({
  suite: `suite-${i}`,
  environment: ['production', 'staging', 'green'][i % 3],
}));

describe('shardOf', () => {
  it('gives the same shard for the same names in every process and release (golden values)', () => {
    // A changed hash moves suites between replicas: during a rolling deploy some would run twice.
    assert.equal(shardOf('checkout', 'production', 1_000_003), 310386);
    assert.equal(shardOf('checkout', 'staging', 1_000_003), 918439);
    assert.equal(shardOf('demo', 'demo', 1_000_003), 55863);
    assert.equal(shardOf('checkout', 'production', 3), 0);
    assert.equal(shardOf('checkout', 'staging', 3), 1);
  });

  it('keeps suite and environment apart (no "ab"+"c" = "a"+"bc" collision)', () => {
    assert.notEqual(shardOf('ab', 'c', 1_000_003), shardOf('a', 'bc', 1_000_003));
  });

  it('spreads 1,000 suite × environment pairs evenly over 2 to 10 shards', () => {
    for (const n of [2, 3, 4, 7, 10]) {
      const counts = new Array<number>(n).fill(0);
      for (const k of keys) counts[shardOf(k.suite, k.environment, n)]++;
      const mean = keys.length / n;
      for (const [i, c] of counts.entries()) {
        assert.ok(c > mean * 0.75 && c < mean * 1.25, `n=${n}: shard ${i} got ${c} of ${keys.length} (mean ${mean.toFixed(0)}): ${counts.join(' ')}`);
      }
    }
  });

  it('gives every pair to exactly one replica', () => {
    const n = 4;
    const shards = Array.from({ length: n }, (_, i) => parseShard(`${i}/${n}`));
    for (const k of keys) {
      const owners = shards.filter((s) => ownsPair(s, k.suite, k.environment));
      assert.equal(owners.length, 1, `${k.suite}@${k.environment} owned by ${owners.length} replicas`);
    }
  });

  it('puts everything on the one shard when there is one replica', () => {
    assert.ok(keys.every((k) => shardOf(k.suite, k.environment, 1) === 0));
  });

  it('refuses a shard count that is not a positive integer', () => {
    assert.throws(() => shardOf('a', 'b', 0), RangeError);
    assert.throws(() => shardOf('a', 'b', 1.5), RangeError);
  });
});

describe('parseShard', () => {
  it('reads a 0-based index and a count', () => {
    assert.deepEqual(parseShard('0/3'), { index: 0, count: 3 });
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.deepEqual(parseShard(' 1 / 2 '), { index: 1, count: 2 });
  });

  it('names the flag and the valid range when the index is out of range', () => {
    assert.throws(
      () => parseShard('3/3'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^--shard: "3\/3": the index is 0-based and must be below 3 \(valid: 0\/3 … 2\/3\)/);
        return true;
      },
    );
  });

  it('explains the expected form for anything else', () => {
    for (const bad of ['', '1', '1/', '/2', 'a/b', '-1/2', '1.5/3', '1/2/3']) {
      assert.throws(
        () => parseShard(bad),
        (err: unknown) => err instanceof ConfigError && /--shard: .* expected i\/n/.test(err.message),
        bad,
      );
    }
    assert.throws(() => parseShard('0/0'), /--shard: "0\/0": the number of shards must be at least 1/);
  });
});
