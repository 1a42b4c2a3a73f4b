// Evidence newer than the question. After a scenario's action, or a deploy, a result taken before that
// moment says nothing about what the change did: Nagios still shows the OK it took a minute ago, and a
// Then that accepted it would "hold 0.0 s after the action" on the monitoring's memory, not on a check.
// Such a result keeps its state for display but is `predates`: neither green nor red, until the source
// checks again (waitUntil forces that where the source can be asked).
import { ConfigError } from '../shared/errors.ts';
import { parseDuration } from '../shared/duration.ts';
import type { Since } from './snapshot-types.ts';
import { formatAge } from './sources/nagios-check.ts';
import type { CheckStatus } from './types.ts';

/** A fresh result taken before `since` becomes `predates`; everything else is returned as it is. */
export function judgeSince(check: CheckStatus, since: Since | undefined): CheckStatus {
  if (!since || check.reason !== 'fresh') return check;
  const taken = check.takenAt !== undefined ? check.takenAt : check.lastCheck;
  const takenMs = taken === null ? Number.NaN : Date.parse(taken);
  if (takenMs >= since.atMs) return check;
  const age = Number.isFinite(takenMs) ? `its result was taken ${formatAge(since.atMs - takenMs)} before` : 'the time of its result is not known';
  const hint = check.source === 'vigil' ? '; run the suite after it' : '';
  return { ...check, reason: 'predates', green: false, red: false, detail: `not checked since ${since.what} (${age}${hint})` };
}

/**
 * `--since`: an ISO 8601 time, epoch seconds (Nagios' own unit), `now`, or a duration ago (`90s`, `5m`).
 * Epoch ms.
 */
export function parseSince(text: string, nowMs = Date.now()): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const ago = /[a-z]$/.test(t) ? parseDuration(t) : undefined;
  if (ago !== undefined && ago > 0) return nowMs - ago;
  if (/^\d{4}-\d\d-\d\d/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new ConfigError(
    `${JSON.stringify(text)} is not a time: give an ISO 8601 time (2026-12-06T10:00:00Z), epoch seconds, "now", or a duration ago (90s, 5m)`,
    {
      where: '--since',
    },
  );
}
