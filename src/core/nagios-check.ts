// What a Nagios passive check result is, as every part of Vigil that produces one says it: the four
// states and their labels, the formatted result (first line, long output, perfdata) addressed to a host
// and service, and the one rule for a line of plugin output. The exporters render and send it; the
// service model builds one per node — both on this one definition.

export type NagiosState = 0 | 1 | 2 | 3;

export const STATE_LABEL: Record<NagiosState, string> = { 0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN' };

export interface FormattedCheck {
  state: NagiosState;
  /** The first line, without perfdata. */
  output: string;
  longOutput: string[];
  /** Space-separated perfdata, e.g. `passed=12;;;0 failed=2;;;0 … duration=31.2s;;;0`. */
  perfdata: string;
}

export interface CheckResult extends FormattedCheck {
  host: string;
  service: string;
  /** Epoch seconds the result describes (the run's end); the command file's `[epoch]`. */
  timestamp: number;
  /**
   * A paused pair with `exporters.nagios.paused: downtime`: schedule (or, `cancel`, end) a downtime
   * next to the result, where the transport can (the command file); the others send the result only.
   */
  downtime?: { start: number; end: number; comment: string } | { cancel: true; comment: string };
}

// `|` starts perfdata in every Nagios parser, so it may never appear in text we control.
const PIPE_REPLACEMENT = '¦';

/** Makes text safe for one line of plugin output: no `|`, no control characters, no newlines. */
export function sanitizeLine(text: string): string {
  return text
    .replaceAll('|', PIPE_REPLACEMENT)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/\t/g, '  ');
}
