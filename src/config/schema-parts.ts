// Building blocks shared by the config schema and the service model's schema: strict objects whose
// unknown keys get a "did you mean" message, non-empty strings, durations parsed to milliseconds, URLs,
// and the connection to Icinga 2's API (the exporter and the model's source reach the same server).
import { z } from 'zod';
import { parseDuration } from '../shared/duration.ts';
import { unknownKeyMessages } from './suggest.ts';

export const strict = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeyMessages(issue.keys, Object.keys(shape)) : undefined),
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

export const httpUrl = z.string().superRefine((text, ctx) => {
  if (text.includes('{{')) {
    ctx.addIssue({ code: 'custom', message: `templates are not allowed here (got ${JSON.stringify(text)})` });
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not an http(s) URL` });
  }
});

/** Icinga 2 API connection: the exporter's `exporters.nagios.icinga2` and the model's `sources.icinga2`. */
export const icinga2ConnectionShape = {
  url: httpUrl.refine((text) => text.startsWith('https://'), { error: "Icinga 2's API speaks HTTPS only (https://host:5665)" }),
  user: nonEmpty,
  password: nonEmpty,
  /** PEM file of the CA that signed Icinga's API certificate. */
  ca: nonEmpty.optional(),
  /** Skip certificate checks (a lab only). */
  insecure: z.boolean().default(false),
  /** Name in Icinga's certificate when it differs from the URL's host (the node name). */
  tlsServerName: nonEmpty.optional(),
};
