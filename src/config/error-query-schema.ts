// `errorQueries` of a suite or an environment: Prometheus queries asked over a passed run's own window,
// for the errors its tests cannot see (docs/configuration.md, "errorQueries").
import { z } from 'zod';
import { ERROR_CHECK_SEVERITIES } from '../core/index.ts';
import { duration, httpUrl, nonEmpty, strict } from './schema-parts.ts';

/** What fills `{{window}}`; any other `{{…}}` in a query is a typo. */
const WINDOW = '{{window}}';
// As schema.ts's NAME_PATTERN (a label value; imported from there it would be a cycle).
const QUERY_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const errorQuerySchema = strict({
  /** Names the query in the Nagios output and in vigil_error_query_value{query}. */
  name: z.string().regex(QUERY_NAME, { error: (i) => `${JSON.stringify(i.input)} must use lowercase letters, digits, "-" and "_"` }),
  /** Prometheus' base URL, e.g. http://prometheus:9090. */
  prometheus: httpUrl,
  /** PromQL; `{{window}}` becomes the run's duration so far in seconds, rounded up ("93s"). */
  query: nonEmpty.superRefine((query, ctx) => {
    const other = query.replaceAll(WINDOW, '').match(/\{\{[^}]*\}\}/);
    if (other) ctx.addIssue({ code: 'custom', message: `${other[0]} is not a placeholder here; only ${WINDOW} (the run's window, e.g. "93s") is` });
  }),
  /** Exceeded when the answer's largest value is above this. */
  above: z.number().default(0),
  severity: z.enum(ERROR_CHECK_SEVERITIES, { error: `must be one of ${ERROR_CHECK_SEVERITIES.join(', ')}` }).default('warning'),
  /** Only the targets of this scrape job are waited for after the run (default: every active target). */
  job: nonEmpty.optional(),
  /** Longest wait after the suite for those targets' next scrape; then the query is asked anyway. */
  settle: duration({ positive: false }).default(60_000),
  /** Per call to Prometheus. */
  timeout: duration({ positive: true }).default(10_000),
});

export const errorQueriesSchema = z.array(errorQuerySchema).superRefine((queries, ctx) => {
  const names = queries.map((q) => q.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${JSON.stringify(n)} is used by another error query of this list` });
  });
});

export type ErrorQueryConfig = z.output<typeof errorQuerySchema>;
