// Maintenance windows (cron + duration): open from each time the cron matches, for the duration, in
// the configured time zone; closed before and after. A pause by hand and a window: the later end wins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPauses } from '../../src/scheduler/pauses.ts';

const noRows = { pauses: { list: async () => [] } };
const window = { suite: '*', environment: 'production', schedule: '0 2 * * *', duration: 3_600_000, reason: 'nightly upgrade' };

describe('maintenance windows', () => {
  it('are open from the cron time for their duration, and closed at their end', async () => {
    const pauses = createPauses({ store: noRows, windows: [window], timezone: 'UTC' });
    try {
      assert.equal(pauses.pausedNow('checkout', 'production', new Date('2026-03-01T01:59:00Z')), undefined);
      const open = pauses.pausedNow('checkout', 'production', new Date('2026-03-01T02:30:00Z'));
      assert.deepEqual(open, { suite: 'checkout', environment: 'production', until: '2026-03-01T03:00:00.000Z', reason: 'nightly upgrade', source: 'window' });
      assert.equal(pauses.pausedNow('checkout', 'production', new Date('2026-03-01T03:00:00Z')), undefined, 'resumes at the end');
      assert.equal(pauses.pausedNow('checkout', 'staging', new Date('2026-03-01T02:30:00Z')), undefined, 'another environment runs');
    } finally {
      await pauses.close();
    }
  });

  it('read the cron in api.timezone', async () => {
    const pauses = createPauses({ store: noRows, windows: [window], timezone: 'Europe/Berlin' });
    try {
      // 02:30 in Berlin (winter, UTC+1) is 01:30 UTC.
      assert.ok(pauses.pausedNow('checkout', 'production', new Date('2026-01-10T01:30:00Z')));
      assert.equal(pauses.pausedNow('checkout', 'production', new Date('2026-01-10T02:30:00Z')), undefined);
    } finally {
      await pauses.close();
    }
  });

  it('a pause by hand that ends later than the window wins', async () => {
    const rows = { pauses: { list: async () => [{ suite: 'checkout', environment: 'production', until: '2026-03-01T05:00:00.000Z', reason: 'deploy' }] } };
    const pauses = createPauses({ store: rows, windows: [window], timezone: 'UTC' });
    await pauses.refresh();
    try {
      const p = pauses.pausedNow('checkout', 'production', new Date('2026-03-01T02:30:00Z'));
      assert.equal(p?.source, 'manual');
      assert.equal(p?.until, '2026-03-01T05:00:00.000Z');
    } finally {
      await pauses.close();
    }
  });
});
