// What a person (typing into start.ts) or a scenario action (through control.ts) can do to a running
// stack: one table for both, so the words in docs, start.ts and vigil.yaml's actions are the same.
//   kill <member>       SIGKILL the member's processes; returns once HAProxy has taken it out
//   restart <member>    start it again on its port; returns once HAProxy has it UP again
//   maint|ready <member>  runtime API: take it out of / put it back into its backend; returns once
//                       HAProxy shows it MAINT / UP
//   switch [shop] <backend>  the blue/green switch: `set map <routes.map> live <backend>`
//   nagios <COMMAND;args>    one external command to Nagios (DISABLE_SVC_CHECK;app-0;HTTP …)
//   runtime <command>   any HAProxy runtime API command
// kill and restart wait for the load balancer so that whoever acts next sees the infrastructure's
// reaction complete: a scenario's time to detect then measures the monitoring, not HAProxy's health
// checks (which take a dead member out within 0.3–0.7 s).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from './stack-types.ts';

const LB_WAIT_MS = 15_000;
const FRONTEND = 'shop';

export class CommandError extends Error {}

async function lbSees(stack: Stack, member: string, wanted: (status: string) => boolean, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = (await stack.haproxy.servers()).find((s) => s.server === member)?.status ?? 'absent';
    if (wanted(status)) return Date.now() - started;
    if (Date.now() - started > LB_WAIT_MS) throw new CommandError(`HAProxy did not have ${member} ${what} within ${LB_WAIT_MS / 1000}s (it says ${status})`);
    await sleep(50);
  }
}

/** Writes `[now] line` to Nagios' command file; refuses at once when no Nagios reads it. */
export async function nagiosCommand(commandFile: string, line: string): Promise<void> {
  if (!/^[A-Z_]+(;[^;\n]*)*$/.test(line)) throw new CommandError(`not a Nagios external command: ${JSON.stringify(line)} (e.g. DISABLE_SVC_CHECK;app-0;HTTP)`);
  // O_NONBLOCK: opening a FIFO nobody reads fails (ENXIO) instead of hanging.
  const file = await open(commandFile, constants.O_WRONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw new CommandError(`Nagios' command file ${commandFile}: ${err.code === 'ENXIO' ? 'Nagios is not reading it' : err.message}`);
  });
  try {
    await file.write(`[${Math.floor(Date.now() / 1000)}] ${line}\n`);
  } finally {
    await file.close();
  }
}

export function stackCommands(stack: Stack): Record<string, (args: string[]) => Promise<string>> {
  const all = [...stack.members, ...stack.green];
  const member = (args: string[]) => {
    const found = all.find((m) => m.name === args[0]);
    if (args.length !== 1 || !found) throw new CommandError(`name one member (${all.map((m) => m.name).join(', ')}), got ${JSON.stringify(args.join(' '))}`);
    return found;
  };
  const backends = [...new Set(all.map((m) => m.backend))];
  return {
    async kill(args) {
      const m = member(args);
      await stack.kill(m.name);
      const ms = await lbSees(stack, m.name, (s) => s.startsWith('DOWN') || s.startsWith('MAINT'), 'DOWN');
      return `${m.name} killed; HAProxy took it out after ${(ms / 1000).toFixed(1)}s`;
    },
    async restart(args) {
      const m = member(args);
      await stack.restart(m.name);
      const ms = await lbSees(stack, m.name, (s) => s === 'UP', 'UP');
      return `${m.name} restarted (pid ${m.pid}); HAProxy has it UP after ${(ms / 1000).toFixed(1)}s`;
    },
    async maint(args) {
      const m = member(args);
      const answer = (await stack.haproxy.runtime(`set server ${m.backend}/${m.name} state maint`)).trim();
      if (answer) throw new CommandError(`HAProxy: ${answer}`);
      await lbSees(stack, m.name, (s) => s.startsWith('MAINT'), 'in maintenance');
      return `${m.name} in maintenance: HAProxy sends it no traffic`;
    },
    async ready(args) {
      const m = member(args);
      const answer = (await stack.haproxy.runtime(`set server ${m.backend}/${m.name} state ready`)).trim();
      if (answer) throw new CommandError(`HAProxy: ${answer}`);
      // Out of maintenance a server passes its rise checks again before HAProxy calls it UP.
      const ms = await lbSees(stack, m.name, (s) => s === 'UP', 'UP');
      return `${m.name} ready; HAProxy has it UP after ${(ms / 1000).toFixed(1)}s`;
    },
    async switch(args) {
      // `switch green` or `switch shop green`: the stack has one frontend, so any other name is a mistake.
      const [frontend, backend] = args.length === 2 ? args : [FRONTEND, args[0]];
      if (frontend !== FRONTEND || !backends.includes(backend) || args.length > 2) {
        throw new CommandError(`usage: switch [${FRONTEND}] <${backends.join('|')}>, got ${JSON.stringify(args.join(' '))}`);
      }
      const answer = (await stack.haproxy.runtime(`set map ${stack.haproxy.routesMap} live ${backend}`)).trim();
      if (answer) throw new CommandError(`HAProxy: ${answer}`);
      return `${FRONTEND} now routes to ${backend}`;
    },
    async nagios(args) {
      await nagiosCommand(stack.nagios.commandFile, args.join(' '));
      return `sent to Nagios: ${args.join(' ')}`;
    },
    runtime: async (args) => stack.haproxy.runtime(args.join(' ')),
  };
}

/** Runs one command line ("kill app-0"); the answer, or a CommandError/HAProxy error. */
export async function runStackCommand(stack: Stack, line: string, commands = stackCommands(stack)): Promise<string> {
  const [word, ...args] = line.trim().split(/\s+/);
  const run = commands[word];
  if (!run) throw new CommandError(`unknown command ${JSON.stringify(word)} (${Object.keys(commands).join(', ')})`);
  return (await run(args)).trim() || 'done';
}
