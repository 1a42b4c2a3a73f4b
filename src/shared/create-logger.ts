import pino, { type Logger } from 'pino';
import type { Redactor } from './redact.ts';

// Every log line passes the redactor: a secret that slips into an error message or a field is masked
// here, whatever module logged it.
export function createLogger(opts: { redact: Redactor; level?: string; destination?: number }): Logger {
  const { redact } = opts;
  return pino(
    {
      level: opts.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info',
      base: undefined,
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? redact(a) : redact.value(a))) as typeof args;
          return method.apply(this, clean);
        },
      },
    },
    pino.destination({ fd: opts.destination ?? 2, sync: true }),
  );
}
