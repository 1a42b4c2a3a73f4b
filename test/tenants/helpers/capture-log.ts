import { pino } from 'pino';
import type { Log } from '../../../src/shared/log.ts';

/** A real pino logger writing JSON lines into memory, so tests can read what would be logged. */
export function captureLog(): { log: Log; text: () => string } {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, text: () => lines.join('') };
}
