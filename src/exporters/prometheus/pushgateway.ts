// For one-shot runs (`vigil run` from cron or CI) that live shorter than a scrape interval.
import { Pushgateway, type Registry } from 'prom-client';
import { ExportError, messageOf } from '../../shared/errors.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

export interface PushOptions {
  /** The gateway's base URL, e.g. http://pushgateway:9091 */
  url: string;
  /** The gateway's grouping key `job`: the one place a job label is set, by the gateway. */
  job: string;
  /**
   * More grouping-key labels. Use { suite, environment } so runs of different suites do not replace each
   * other. Only the series of that group are pushed (see onlyGroup).
   */
  groupings?: Record<string, string>;
  timeoutMs?: number;
}

// A refused push answers with one line per bad series; at 1,000 pairs that would be megabytes on stderr.
const MAX_MESSAGE = 1000;

/** Replaces the group's metrics (PUT) with Vigil's own series of that group; no process_* metrics. */
export async function pushToGateway(exporter: Pick<PrometheusExporter, 'results'>, options: PushOptions): Promise<void> {
  const shownUrl = withoutCredentials(options.url);
  const groupings = options.groupings ?? {};
  // The gateway only calls metrics() on its registry: Vigil's exposition is not a prom-client Registry
  // (the per-pair series are rendered by Vigil, see pair-series.ts).
  const body = {
    contentType: exporter.results.contentType,
    metrics: async () => onlyGroup(await exporter.results.metrics(), groupings),
  };
  const gateway = new Pushgateway(options.url, { timeout: options.timeoutMs ?? 10_000 }, body as unknown as Registry);
  try {
    await gateway.push({ jobName: options.job, groupings: options.groupings });
  } catch (err) {
    const message = shorten(stripCredentials(messageOf(err), options.url).trim());
    throw new ExportError(message.startsWith('push failed') ? message : `push failed: ${message}`, {
      where: `pushgateway ${shownUrl} job=${options.job}`,
    });
  }
}

/**
 * The series of `text` that belong to the group: those whose grouping labels, where they carry them,
 * have the group's values.
 *
 * The gateway sets every grouping label on every series pushed to a group, over the value the series
 * carries (Pushgateway 1.5.1 stores `x{suite="b"}` pushed to …/suite/a as `x{suite="a"}`). Vigil's
 * exposition holds every configured pair, so pushed whole, pair B's series would be relabelled as the
 * run's pair and collide with its own: the gateway refuses the push with 400 ("was collected before
 * with the same name and label values") as soon as two pairs are configured. What is left: the run's
 * pair, the per-environment series of its environment, and the series with neither label (build info,
 * the phase histogram, deliveries), which the gateway labels with the group.
 */
export function onlyGroup(text: string, groupings: Record<string, string>): string {
  const keys = Object.keys(groupings);
  if (keys.length === 0) return text;
  return text
    .split('\n')
    .filter((line) => {
      if (line === '' || line.startsWith('#')) return true;
      const labels = labelsOf(line);
      return keys.every((key) => labels[key] === undefined || labels[key] === groupings[key]);
    })
    .join('\n');
}

// Label pairs of one sample line in the text format (`name{a="x",b="y"} 1`), values unescaped.
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|(?=\}))/y;
function labelsOf(line: string): Record<string, string | undefined> {
  const labels: Record<string, string | undefined> = {};
  const open = line.indexOf('{');
  const space = line.indexOf(' ');
  if (open < 0 || (space >= 0 && space < open)) return labels;
  LABEL.lastIndex = open + 1;
  for (let m = LABEL.exec(line); m; m = LABEL.exec(line)) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function shorten(message: string): string {
  if (message.length <= MAX_MESSAGE) return message;
  return `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters; the gateway's log has them all)`;
}

// A gateway URL may carry basic-auth credentials; they must not reach an error or a log.
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

function stripCredentials(message: string, url: string): string {
  try {
    const { username, password } = new URL(url);
    let out = message;
    for (const secret of [password, username]) if (secret) out = out.split(secret).join('***');
    return out;
  } catch {
    return message;
  }
}
