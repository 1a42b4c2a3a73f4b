// Time to detect the loss of a member on the example stack (demo/stack), for `npm run bench` (also
// runnable alone: `node bench/stack.ts`): Nagios checks every 5 s. Once HAProxy has taken the member
// out, the two questions a scenario's Thens ask right after the destroy, each with `--since` the kill
// (only results taken after it count, docs/model.md): `vigil model check shop --expect all-green`
// (the service level still passing — which rested on the OK from before the kill, at 0.0 s, until the
// since rule), then `vigil model check app-0 --expect all-red`; by default Vigil forces a re-check of
// the results older than the kill (the model has Nagios' command file), with --recheck of every check. The two ways alternate, each after a random
// wait of up to one check interval, so the kill lands anywhere in Nagios' schedule. Rounds per way:
// BENCH_STACK_ROUNDS (default 5). Time to detect = from the SIGKILL to the CLI's answer.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../demo/stack/index.ts';

const rounds = Number(process.env.BENCH_STACK_ROUNDS ?? 5);
const CHECK_INTERVAL_S = 5;
const vigilEntry = path.join(import.meta.dirname, '../src/cli/vigil.ts');

function vigilJson(args: string[]): Promise<{ code: number | null; json: { elapsedMs?: number } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vigilEntry, ...args, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, json: JSON.parse(out) });
      } catch {
        reject(new Error(`vigil ${args.join(' ')} exited ${code} without JSON: ${out.slice(0, 500)}`));
      }
    });
  });
}

async function lbSees(stack: Stack, member: string, status: string): Promise<void> {
  const until = Date.now() + 15_000;
  while ((await stack.haproxy.servers()).find((s) => s.server === member)?.status !== status) {
    if (Date.now() > until) throw new Error(`HAProxy did not see ${member} ${status} within 15s`);
    await sleep(50);
  }
}

async function detectOnce(stack: Stack, config: string, recheck: boolean): Promise<{ serviceMs: number; detectMs: number }> {
  await sleep(Math.random() * CHECK_INTERVAL_S * 1000);
  await stack.kill('app-0');
  const killedAt = Date.now();
  await lbSees(stack, 'app-0', 'DOWN');
  const ask = async (node: string, expect: string) => {
    const r = await vigilJson([
      'model',
      'check',
      node,
      '--expect',
      expect,
      '--within',
      '60s',
      '--interval',
      '250ms',
      '--since',
      new Date(killedAt).toISOString(),
      '--config',
      config,
      ...(recheck ? ['--recheck'] : []),
    ]);
    if (r.code !== 0 || r.json.elapsedMs === undefined) throw new Error(`${node} did not turn ${expect} (exit ${r.code})`);
    return Date.now() - killedAt;
  };
  const serviceMs = await ask('shop', 'all-green');
  const detectMs = await ask('app-0', 'all-red');
  await stack.restart('app-0');
  await lbSees(stack, 'app-0', 'UP');
  const back = await vigilJson([
    'model',
    'check',
    'shop',
    '--transitive',
    '--expect',
    'all-green',
    '--within',
    '60s',
    '--interval',
    '250ms',
    '--recheck',
    '--config',
    config,
  ]);
  if (back.code !== 0) throw new Error(`shop did not turn all green again after app-0's restart (exit ${back.code})`);
  return { serviceMs, detectMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function benchStack(): Promise<string[]> {
  const stack = await startStack({ members: 3, checkInterval: CHECK_INTERVAL_S });
  try {
    const config = path.join(stack.dir, 'vigil-bench.yaml');
    // Infrastructure only: the suite's check plays no part in a member's loss.
    await writeFile(config, `store: ${path.join(stack.dir, 'vigil.db')}\n${stack.modelYaml({ suite: false })}`);
    const predating: Array<{ serviceMs: number; detectMs: number }> = [];
    const forced: typeof predating = [];
    for (let i = 0; i < rounds; i++) {
      predating.push(await detectOnce(stack, config, false));
      forced.push(await detectOnce(stack, config, true));
    }
    const line = (label: string, xs: number[]) => `${label} median ${seconds(median(xs))}, min ${seconds(Math.min(...xs))}, max ${seconds(Math.max(...xs))}`;
    return [
      `member loss on the example stack (Nagios checks every ${CHECK_INTERVAL_S} s; ${rounds} rounds each), only results taken after the SIGKILL counting:`,
      '  time from SIGKILL to shop all green non-transitively (the service level, on new results):',
      line(
        '    results older than the kill re-checked (default):',
        predating.map((r) => r.serviceMs),
      ),
      line(
        '    every check re-checked (--recheck):               ',
        forced.map((r) => r.serviceMs),
      ),
      '  then to app-0 all red:',
      line(
        '    results older than the kill re-checked (default):',
        predating.map((r) => r.detectMs),
      ),
      line(
        '    every check re-checked (--recheck):               ',
        forced.map((r) => r.detectMs),
      ),
    ];
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) process.stdout.write(`${(await benchStack()).join('\n')}\n`);
