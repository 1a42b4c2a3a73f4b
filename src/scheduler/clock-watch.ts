// Notices the wall clock jumping (NTP stepping it, a VM resumed, an operator's `date -s`) by comparing
// it with the monotonic clock. node-cron plans each fire as a wall-clock date and waits for it with a
// monotonic timer, so after a jump back of an hour it would stay silent for that hour: the scheduler
// re-plans its schedules from the new time when this fires. A jump forward is seen by node-cron itself
// as missed fires (counted by the scheduler).

export interface ClockWatchOptions {
  /** How often the two clocks are compared. */
  everyMs: number;
  /** A difference larger than this between the clocks' progress is a jump. */
  thresholdMs: number;
  wall?: () => number;
  monotonic?: () => number;
  /** `jumpMs` > 0: the wall clock went forward by that much more than real time passed; < 0: back. */
  onJump: (jumpMs: number) => void;
}

export function createClockWatch(options: ClockWatchOptions): { stop(): void } {
  const wall = options.wall ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  let lastWall = wall();
  let lastMonotonic = monotonic();
  const timer = setInterval(() => {
    const nowWall = wall();
    const nowMonotonic = monotonic();
    const jumpMs = nowWall - lastWall - (nowMonotonic - lastMonotonic);
    lastWall = nowWall;
    lastMonotonic = nowMonotonic;
    if (Math.abs(jumpMs) > options.thresholdMs) options.onJump(Math.round(jumpMs));
  }, options.everyMs);
  // Watching the clock is no reason to keep a process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
