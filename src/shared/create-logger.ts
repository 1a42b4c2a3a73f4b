import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';
import type { Redactor } from './redact.ts';

// pino-pretty (30 modules) only when a person reads the log: a container logs JSON and never loads it.
// require, not import(): createLogger is synchronous, and pino-pretty is CommonJS.
const require = createRequire(import.meta.url);

/** `json`: one JSON object per line, for log collectors. `pretty`: for a person. `auto`: pretty on a terminal. */
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LoggerOptions {
  redact: Redactor;
  level?: string;
  /** File descriptor to write to; stderr by default. */
  destination?: number;
  /** Default: $VIGIL_LOG_FORMAT, else auto. */
  format?: LogFormat;
}

// Every log line passes the redactor: a secret that slips into an error message or a field is masked
// here, whatever module logged it. The hook runs before serialization, so it covers both formats.
export function createLogger(opts: LoggerOptions): Logger {
  const { redact } = opts;
  const fd = opts.destination ?? 2;
  const options = {
    level: opts.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info',
    base: undefined,
    hooks: {
      logMethod(args: Parameters<Logger['info']>, method: (...a: Parameters<Logger['info']>) => void) {
        const clean = args.map((a) => (typeof a === 'string' ? redact(a) : redact.value(a))) as typeof args;
        return method.apply(this, clean);
      },
    },
  };
  if (logFormat(opts.format, fd) === 'pretty') {
    // Synchronous, in this thread: a worker-thread transport can lose the last lines when a one-shot
    // `vigil run` exits with process.exit().
    const prettyStream = require('pino-pretty') as typeof pretty;
    return pino(options, prettyStream({ destination: fd, sync: true, colorize: isatty(fd), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ fd, sync: true }));
}

/** Which format a logger on `fd` writes; `json` for a log collector unless a person is watching. */
export function logFormat(requested: LogFormat | undefined, fd: number): 'json' | 'pretty' {
  const format = requested ?? parseFormat(process.env.VIGIL_LOG_FORMAT);
  if (format === 'auto') return isatty(fd) ? 'pretty' : 'json';
  return format;
}

function parseFormat(value: string | undefined): LogFormat {
  // An unknown value must not break start-up over a log format: treat it as unset.
  return value === 'json' || value === 'pretty' ? value : 'auto';
}
