// A pool listed by a command (an inventory, a cloud API, `consul catalog nodes`, a script): one name per
// line on stdout; blank lines and lines starting with "#" are skipped, spaces around a name trimmed.
// Through the one child runner (src/shared/child-process.ts): argv, its own process group, a timeout,
// nothing it starts outlives it. A command that does not exit 0 has not said what the pool is.
import { describeEnd, runChild } from '../../shared/child-process.ts';
import type { PoolServer } from './haproxy-runtime.ts';

// A pool of thousands of names is a few hundred KiB; past this the command is stopped, not trusted.
const STDOUT_LIMIT = 4 * 1024 * 1024;
const GRACE_MS = 1_000;

export class PoolCommandError extends Error {}

const shown = (argv: readonly string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

export async function readPoolCommand(spec: { command: string[]; cwd: string; timeoutMs: number }): Promise<PoolServer[]> {
  const end = await runChild({
    command: spec.command,
    cwd: spec.cwd || undefined,
    env: { ...process.env },
    timeoutMs: spec.timeoutMs,
    graceMs: GRACE_MS,
    leftovers: 'kill',
    stdoutLimit: STDOUT_LIMIT,
    tailBytes: 2_000,
  });
  if (end.code !== 0 || end.stopped || end.spawnError) {
    const said = end.stderr.trim().split('\n').at(-1);
    throw new PoolCommandError(
      `${shown(spec.command)} ${describeEnd(end, { timeoutMs: spec.timeoutMs, stdoutLimit: STDOUT_LIMIT })}${said ? ` (stderr: ${said})` : ''}`,
    );
  }
  const names = end.stdout
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  // The command knows names, not states.
  return [...new Set(names)].map((name) => ({ name, state: 'listed' }));
}
