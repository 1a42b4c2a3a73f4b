// Named actions from `scenarios.actions` (docs/scenarios.md): a command or an HTTP request with
// {{placeholders}} filled from the step ("I destroy member "app-0"" → {{member}} = app-0). An action
// with an `undo` registers it *before* it starts, like the tenant ledger is written before create: a
// destroy that times out half-way still gets its restore. With a store, the undo is also written to
// its ledger first (owed-undos.ts): a process killed outright still owes it, and the next start pays.
import { resolve } from 'node:path';
import type { ScenarioAction } from '../config/scenario-schema.ts';
import { messageOf, VigilError } from '../shared/errors.ts';
import { failureText, StepFailure } from './errors.ts';
import { runCommand } from './run-command.ts';
import type { ScenarioEnvironment, StepContext } from './types.ts';

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_-]*)\s*\}\}/gi;

export function placeholders(action: ScenarioAction): string[] {
  const texts = [
    ...(action.command ?? []),
    action.http?.url ?? '',
    JSON.stringify(action.http?.body ?? ''),
    ...Object.values(action.http?.headers ?? {}),
    ...Object.values(action.env ?? {}),
  ];
  return [...new Set(texts.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[1])))];
}

const fill = (text: string, params: Record<string, string>) => text.replace(PLACEHOLDER, (_, name: string) => params[name] ?? '');

function fillDeep(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') return fill(value, params);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, params)]));
  return value;
}

/** Before anything runs: the action exists, and the step gives every placeholder it (and its undo) uses. */
export function actionProblem(env: ScenarioEnvironment, name: string, params: Record<string, string>): string | undefined {
  const actions = env.config.actions;
  const action = actions[name];
  if (!action) {
    const known = Object.keys(actions);
    return `needs the action "${name}" in scenarios.actions of the config (${known.length ? `defined: ${known.join(', ')}` : 'none defined'})`;
  }
  for (const used of [name, action.undo].filter((n): n is string => n !== undefined)) {
    const missing = placeholders(actions[used]).filter((p) => !(p in params));
    if (missing.length)
      return `action "${used}" uses {{${missing.join('}}, {{')}}}, which this step does not give (it gives: ${Object.keys(params).join(', ') || 'nothing'})`;
  }
  return undefined;
}

/** What running an action needs: the config's actions, and where relative paths start. */
export type ActionSetting = Pick<ScenarioEnvironment, 'config' | 'configDir'>;

/** Runs one named action (a command or an HTTP request) with its placeholders filled; the last line of its output. */
export async function performAction(env: ActionSetting, name: string, params: Record<string, string>, signal: AbortSignal): Promise<string> {
  const action = env.config.actions[name];
  if (action.command) {
    const argv = action.command.map((a) => fill(a, params));
    const { stdout } = await runCommand(argv, {
      cwd: resolve(env.configDir, action.cwd ?? '.'),
      env: action.env ? (fillDeep(action.env, params) as Record<string, string>) : undefined,
      timeoutMs: action.timeout,
      signal,
    });
    return stdout.trim().split('\n').at(-1) ?? '';
  }
  const http = action.http!;
  const url = fill(http.url, params);
  const body = http.body === undefined ? undefined : fillDeep(http.body, params);
  const headers = fillDeep(http.headers, params) as Record<string, string>;
  if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: http.method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(action.timeout)]),
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new StepFailure(`action "${name}": ${http.method} ${url} failed: ${messageOf(err)}`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new StepFailure(`action "${name}": ${http.method} ${url} answered ${response.status}`, text ? text.slice(0, 2000).split('\n') : []);
  return `${response.status}`;
}

/** Runs the named action for a step; its undo (if any) is registered first, and owed in the store. */
export async function runAction(ctx: StepContext, name: string, params: Record<string, string>): Promise<string> {
  const undo = ctx.env.config.actions[name].undo;
  if (undo) {
    const owed = await oweUndo(ctx, name, undo, params);
    ctx.addCleanup(
      `${undo} ${Object.values(params)
        .map((v) => JSON.stringify(v))
        .join(' ')}`.trim(),
      (signal) => runUndo(ctx, undo, params, owed, signal),
    );
  }
  return performAction(ctx.env, name, params, ctx.signal);
}

// Ledger first: an undo the store could not keep would be lost to a kill -9, so the action does not run.
async function oweUndo(ctx: StepContext, action: string, undo: string, params: Record<string, string>): Promise<string | undefined> {
  const { undos } = ctx.env;
  if (!undos) return undefined;
  const { run } = ctx.scenario;
  try {
    return await undos.owe({ undo, action, params, runId: run.id, scenario: run.scenario, ...(run.schedule ? { schedule: run.schedule } : {}) });
  } catch (err) {
    throw new VigilError(`cannot record the undo "${undo}" in the store's ledger, so "${action}" was not run: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

// The scenario's own cleanup: paid, the row goes; failed, it stays owed for the next replay pass.
async function runUndo(ctx: StepContext, undo: string, params: Record<string, string>, owed: string | undefined, signal: AbortSignal): Promise<void> {
  const { undos } = ctx.env;
  try {
    await performAction(ctx.env, undo, params, signal);
  } catch (err) {
    if (undos && owed)
      await undos.failed(owed, failureText(err)).catch((e) => ctx.log(`the undo stays owed, but its failure was not recorded: ${messageOf(e)}`));
    throw err;
  }
  if (undos && owed)
    await undos.paid(owed).catch((err) => ctx.log(`the undo ran, but the store still lists it as owed (it may run once more later): ${messageOf(err)}`));
}
