// For one-shot runs (`vigil run` from cron or CI) that live shorter than a scrape interval.
import { Pushgateway, type Registry } from 'prom-client';
import { ExportError, messageOf } from '../../shared/errors.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

export interface PushOptions {
  /** The gateway's base URL, e.g. http://pushgateway:9091 */
  url: string;
  /** The gateway's grouping key `job`: the one place a job label is set, by the gateway. */
  job: string;
  /** More grouping-key labels. Use { suite, environment } so runs of different suites do not replace each other. */
  groupings?: Record<string, string>;
  timeoutMs?: number;
}

/** Replaces the group's metrics (PUT) with Vigil's own series; no process_* metrics. */
export async function pushToGateway(
  exporter: Pick<PrometheusExporter, 'results'>,
  options: PushOptions,
): Promise<void> {
  const shownUrl = withoutCredentials(options.url);
  // The gateway only calls metrics() on its registry: Vigil's exposition is not a prom-client Registry
  // (the per-pair series are rendered by Vigil, see pair-series.ts).
  const registry = exporter.results as unknown as Registry;
  const gateway = new Pushgateway(options.url, { timeout: options.timeoutMs ?? 10_000 }, registry);
  try {
    await gateway.push({ jobName: options.job, groupings: options.groupings });
  } catch (err) {
    const message = stripCredentials(messageOf(err), options.url);
    throw new ExportError(message.startsWith('push failed') ? message : `push failed: ${message}`, {
      where: `pushgateway ${shownUrl} job=${options.job}`,
    });
  }
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
