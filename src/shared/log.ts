import type { Logger } from 'pino';

/** What modules need of a logger; pino's Logger satisfies it. Pass it in, never import a global. */
export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
