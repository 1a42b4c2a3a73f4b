import { startMetricsServer } from '../../exporters/prometheus/index.ts';
import { ConfigError } from '../../shared/errors.ts';
import { loadContext } from '../context.ts';

export interface MetricsOptions {
  config?: string;
  listen?: string;
}

// Runs recorded by other processes since the last scrape are read back per scrape, at most this many.
const FOLLOW_LIMIT = 100;

/**
 * `vigil metrics`: a standalone /metrics endpoint for setups that run `vigil run` from cron instead of
 * `vigil serve`. Gauges are restored from the store at start-up, and each scrape first takes in runs
 * that other `vigil run` processes recorded since. Prints the metrics URL on stdout; serves until
 * SIGINT/SIGTERM.
 */
export async function metricsCommand(opts: MetricsOptions): Promise<number> {
  const { host, port } = parseListen(opts.listen ?? '127.0.0.1:9464');
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'info' });
  try {
    const { prometheus } = ctx.exporters;
    const { runs } = ctx.store;
    // Everything up to here was restored at start-up; counters count only what happens from now on.
    let followedUpTo = (await runs.list({ limit: 1 }))[0]?.startedAt ?? '';
    const exporter = {
      contentType: prometheus.contentType,
      async metrics() {
        const fresh = (await runs.list({ limit: FOLLOW_LIMIT })).filter((r) => r.startedAt > followedUpTo).reverse();
        for (const run of fresh) await prometheus.publish(run);
        if (fresh.length) followedUpTo = fresh[fresh.length - 1].startedAt;
        return prometheus.metrics();
      },
    };
    const server = await startMetricsServer({ exporter, host, port });
    process.stdout.write(`${server.url}/metrics\n`);
    ctx.log.info({ url: `${server.url}/metrics` }, 'vigil metrics serving');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    ctx.log.info({ signal }, 'vigil metrics stopping');
    await server.close();
    return 0;
  } finally {
    await ctx.close();
  }
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65_535) throw new ConfigError(`--listen ${listen}: expected host:port, e.g. 127.0.0.1:9464 or 0.0.0.0:0`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}
