// `vigil pause` / `vigil resume`: on a running server through its API (--server, api.token), or in
// the config's store (a `vigil serve` sharing it notices within seconds). A pause skips scheduled
// runs and makes the exports say "paused" (docs/service.md#pauses-and-maintenance-windows).
import { createApiClient } from '../../api/client.ts';
import { createPauseControl } from '../../scheduler/pause-control.ts';
import { createPauses, type PauseState } from '../../scheduler/pauses.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError, VigilError } from '../../shared/errors.ts';
import { loadContext } from '../context.ts';

export interface PauseOptions {
  config?: string;
  suite: string;
  environment: string;
  for?: string;
  until?: string;
  reason?: string;
  server?: string;
  token?: string;
  json?: boolean;
}

const say = (p: PauseState) => `${p.suite}@${p.environment} paused until ${p.until} (${p.reason})\n`;

export async function pauseCommand(opts: PauseOptions): Promise<number> {
  if ((opts.for === undefined) === (opts.until === undefined))
    throw new ConfigError('give exactly one of --for (e.g. 2h) and --until (ISO 8601)', { where: 'vigil pause' });
  if (opts.server) {
    const client = createApiClient({ server: opts.server, token: opts.token ?? process.env.VIGIL_API_TOKEN });
    const answer = await client.request('POST', '/api/pauses', {
      body: {
        suite: opts.suite,
        environment: opts.environment,
        ...(opts.for ? { for: opts.for } : { until: opts.until }),
        ...(opts.reason ? { reason: opts.reason } : {}),
      },
    });
    if (answer.status !== 201) throw new VigilError(`${opts.server} answered ${answer.status}: ${String(answer.json.error ?? '')}`);
    const pause = answer.json.pause as PauseState;
    process.stdout.write(opts.json ? `${JSON.stringify(pause)}\n` : say(pause));
    return 0;
  }
  let until: Date;
  if (opts.for !== undefined) {
    const ms = parseDuration(opts.for);
    if (ms === undefined) throw new ConfigError(`"${opts.for}" is not a duration (e.g. 30m, 2h)`, { where: '--for' });
    until = new Date(Date.now() + ms);
  } else {
    until = new Date(opts.until!);
    if (Number.isNaN(until.getTime())) throw new ConfigError(`"${opts.until}" is not an ISO 8601 time`, { where: '--until' });
  }
  const ctx = await loadContext({ config: opts.config, logLevel: 'warn' });
  const pauses = createPauses({ store: ctx.store, windows: ctx.config.maintenance, timezone: ctx.config.api.timezone });
  try {
    const control = createPauseControl({ config: ctx.config, store: ctx.store, pauses, pairs: () => [] });
    const outcome = await control.pause({ suite: opts.suite, environment: opts.environment, until, reason: opts.reason });
    if (outcome.kind !== 'paused') throw new VigilError(outcome.message);
    process.stdout.write(opts.json ? `${JSON.stringify(outcome.pause)}\n` : say(outcome.pause));
    return 0;
  } finally {
    await pauses.close();
    await ctx.close();
  }
}

export async function resumeCommand(opts: Pick<PauseOptions, 'config' | 'suite' | 'environment' | 'server' | 'token' | 'json'>): Promise<number> {
  let result: { resumed: boolean; stillPaused?: PauseState };
  if (opts.server) {
    const client = createApiClient({ server: opts.server, token: opts.token ?? process.env.VIGIL_API_TOKEN });
    const answer = await client.request('DELETE', `/api/pauses/${encodeURIComponent(opts.suite)}/${encodeURIComponent(opts.environment)}`);
    if (answer.status !== 200) throw new VigilError(`${opts.server} answered ${answer.status}: ${String(answer.json.error ?? '')}`);
    result = answer.json as typeof result;
  } else {
    const ctx = await loadContext({ config: opts.config, logLevel: 'warn' });
    const pauses = createPauses({ store: ctx.store, windows: ctx.config.maintenance, timezone: ctx.config.api.timezone });
    try {
      await pauses.refresh();
      const outcome = await createPauseControl({ config: ctx.config, store: ctx.store, pauses, pairs: () => [] }).resume(opts.suite, opts.environment);
      if (outcome.kind === 'unknown') throw new VigilError(outcome.message);
      result = { resumed: outcome.kind === 'resumed', ...(outcome.stillPaused ? { stillPaused: outcome.stillPaused } : {}) };
    } finally {
      await pauses.close();
      await ctx.close();
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(result.resumed ? `${opts.suite}@${opts.environment} resumed\n` : `${opts.suite}@${opts.environment} had no pause to lift\n`);
    if (result.stillPaused) process.stdout.write(`still paused by a maintenance window until ${result.stillPaused.until} (${result.stillPaused.reason})\n`);
  }
  // 1 (WARNING) when the pair stays quiet anyway: a script that resumed must not assume runs go on.
  return result.stillPaused ? 1 : result.resumed ? 0 : 1;
}
