// External command file transport: one PROCESS_SERVICE_CHECK_RESULT line written to Nagios' FIFO.
// Only a FIFO: Nagios reads its command file as a named pipe and never looks at a regular file of that
// name, so writing into one would report "delivered" for results nobody ever reads.
import { PIPE_BUF, writeCommandLines } from '../../shared/nagios-command-file.ts';
import { assertObjectName, type CheckResult, type Transport } from './check-result.ts';
import { OUTPUT_LIMITS, renderPluginOutput } from './plugin-output.ts';

export { PIPE_BUF, writeCommandLines };

export interface CommandFileOptions {
  /** e.g. /var/lib/nagios4/rw/nagios.cmd */
  path: string;
  /** Whole line limit in bytes; PIPE_BUF (4096) keeps concurrent writers from interleaving. */
  maxLineBytes?: number;
}

export function commandLine(check: CheckResult, maxLineBytes = OUTPUT_LIMITS['command-file']): string {
  const prefix = `[${check.timestamp}] PROCESS_SERVICE_CHECK_RESULT;${check.host};${check.service};${check.state};`;
  const budget = maxLineBytes - Buffer.byteLength(prefix) - 1; // trailing newline
  const output = renderPluginOutput(check, { maxBytes: budget, newlines: 'escaped', perfdataInline: true });
  return `${prefix}${output}\n`;
}

/** A paused pair's downtime (flexible 0, fixed), or its removal when resumed; none for a run's result. */
export function downtimeLines(check: CheckResult): string[] {
  const d = check.downtime;
  if (!d) return [];
  const comment = d.comment.replace(/[;\r\n]/g, ' ');
  if ('cancel' in d) return [`[${check.timestamp}] DEL_DOWNTIME_BY_HOST_NAME;${check.host};${check.service};;${comment}\n`];
  return [`[${check.timestamp}] SCHEDULE_SVC_DOWNTIME;${check.host};${check.service};${d.start};${d.end};1;0;0;vigil;${comment}\n`];
}

export function createCommandFileTransport(opts: CommandFileOptions): Transport {
  const where = `nagios.commandFile ${opts.path}`;
  return {
    name: 'command-file',
    async send(check, signal) {
      signal?.throwIfAborted();
      assertObjectName('host', check.host, where);
      assertObjectName('service', check.service, where);
      await writeCommandLines(opts.path, [...downtimeLines(check), commandLine(check, opts.maxLineBytes)], where);
    },
  };
}
