// The reader of Vigil's reporter events: JSON lines from the Playwright process (fd 3, or the events
// file when the pipe was lost), turned into counts, failures and progress events.
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import { createTally, type AttemptEvent } from './tally.ts';
import type { SuiteEvent } from './types.ts';

export type ReporterEvent =
  | { type: 'begin'; total: number }
  | ({ type: 'test' } & AttemptEvent)
  | { type: 'error'; message?: string }
  | { type: 'end'; status: 'passed' | 'failed' | 'timedout' | 'interrupted'; notRun?: number };

export type RunEnd = Extract<ReporterEvent, { type: 'end' }>;

export function createReporterEventReader(opts: { log: Log; onEvent?: (e: SuiteEvent) => void }) {
  const tally = createTally();
  const runErrors: string[] = [];
  let ended: RunEnd | undefined;
  let begun = false;
  let buffer = '';

  const handle = (event: ReporterEvent) => {
    if (event.type === 'begin') {
      begun = true;
      opts.onEvent?.({ type: 'begin', total: event.total });
    } else if (event.type === 'test') {
      tally.add(event);
      const { title, file, line, outcome, retry, durationMs, error } = event;
      opts.onEvent?.({ type: 'test', title, file, line, outcome, retry, durationMs, ...(error ? { error } : {}) });
    } else if (event.type === 'error') {
      runErrors.push(event.message ?? 'unknown error');
    } else if (event.type === 'end') {
      ended = event;
      tally.addNotRun(event.notRun ?? 0);
    }
  };

  const parseLines = (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        handle(JSON.parse(line) as ReporterEvent);
      } catch (err) {
        opts.log.debug({ line, err: messageOf(err) }, 'unreadable reporter line');
      }
    }
  };

  return {
    /** A chunk from the events pipe; a line cut between chunks waits for its end. */
    write(chunk: string): void {
      const lines = (buffer + chunk).split('\n');
      buffer = lines.pop() ?? '';
      parseLines(lines.join('\n'));
    },
    /** The pipe closed: whatever is left is the last line. */
    end(): void {
      parseLines(buffer);
      buffer = '';
    },
    /** The events file, read only when the pipe carried nothing (a reporter that could not use fd 3). */
    readFallback(text: string): void {
      if (!begun && !ended) parseLines(text);
    },
    get ended(): RunEnd | undefined {
      return ended;
    },
    runErrors: (): readonly string[] => runErrors,
    counts: () => tally.counts(),
    failures: () => tally.failures(),
    results: () => tally.results(),
  };
}
