// What a long-running command starts, each thing registered the moment it has started and undone in
// reverse order — on a normal stop and when start-up fails half-way, so a half-started `vigil serve`
// leaves no listener, timer or lease behind (Playwright's task runner tears its tasks down the same way).
import { messageOf } from './errors.ts';
import type { Log } from './log.ts';

export interface TeardownStack {
  /** How to undo what has just started, under a name for the log. */
  defer(name: string, undo: () => unknown): void;
  /** Undoes everything, newest first. An undo that throws is logged; the others still run. */
  unwind(): Promise<void>;
}

export function createTeardownStack(log: Pick<Log, 'error'>): TeardownStack {
  const undos: Array<{ name: string; undo: () => unknown }> = [];
  return {
    defer(name, undo) {
      undos.push({ name, undo });
    },
    async unwind() {
      for (let next = undos.pop(); next; next = undos.pop()) {
        try {
          await next.undo();
        } catch (err) {
          log.error({ step: next.name, err: messageOf(err) }, `shutting down: ${next.name} failed`);
        }
      }
    },
  };
}
