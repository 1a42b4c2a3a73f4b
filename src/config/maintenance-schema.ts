// Maintenance windows: planned quiet times declared in the config, as a cron expression (when a window
// opens) and a duration (how long it stays open). During a window the pairs it names are paused like a
// pause set through the API: scheduled runs are skipped and counted, exports say "paused".
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { duration, nonEmpty, strict } from './schema-parts.ts';

const cron = z.string().refine((text) => isValidCron(text), {
  error: (i) => `${JSON.stringify(i.input)} is not a valid cron expression (e.g. "0 2 * * 0" for Sundays at 02:00)`,
});

// A window is found by looking back over its duration minute by minute: a day bounds that work.
const MAX_WINDOW_MS = 24 * 3_600_000;

export const maintenanceWindowSchema = strict({
  /** A suite name, "scenario:<name>" for a scheduled scenario, or "*" (default) for every suite and scheduled scenario. */
  suite: nonEmpty.default('*'),
  /** An environment name, or "*" (default) for every environment. */
  environment: nonEmpty.default('*'),
  /** When the window opens, in api.timezone (5 fields; windows open on a minute). */
  schedule: cron,
  /** How long it stays open, e.g. 30m, 2h (at most 24h). */
  duration: duration({ positive: true }).refine((ms) => ms <= MAX_WINDOW_MS, { error: 'must be at most 24h' }),
  /** Said in the Nagios output and the UI. */
  reason: nonEmpty.default('maintenance window'),
});

export const maintenanceSchema = z.array(maintenanceWindowSchema).default([]);

export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
