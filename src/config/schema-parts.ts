// Building blocks shared by the config schema and the service model's schema: strict objects whose
// unknown keys get a "did you mean" message, non-empty strings, durations parsed to milliseconds.
import { z } from 'zod';
import { parseDuration } from '../shared/duration.ts';
import { unknownKeyMessages } from './suggest.ts';

export const strict = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeyMessages(issue.keys, Object.keys(shape)) : undefined,
  });

export const nonEmpty = z.string().min(1, { error: 'must not be empty' });

export const duration = (opts: { positive: boolean }) =>
  z.union([z.string(), z.number()]).transform((input, ctx) => {
    const ms = parseDuration(input);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(input)} is not a duration (use e.g. "90s", "10m", "2h", "1h30m" or milliseconds)`,
      });
      return z.NEVER;
    }
    if (opts.positive && ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be longer than 0 (got ${JSON.stringify(input)})` });
      return z.NEVER;
    }
    return ms;
  });
