// The stack's children run in their own process groups (and sessions), so a Ctrl-C in the terminal or
// a test runner killed with SIGKILL would leave them running: nothing of ours gets a chance to clean up.
// The guardian is a tiny shell that holds a pipe from us; we tell it each process group we start and
// stop. When the pipe closes — we exited, however abruptly — it kills the groups still listed.
import { spawn } from 'node:child_process';

// Lines on stdin: `+<pgid>` a group started, `-<pgid>` a group we stopped ourselves.
// At end of input: SIGTERM to what is left, a second later SIGKILL.
const SCRIPT = `
groups=""
while read -r line; do
  case "$line" in
    +*) groups="$groups \${line#+}" ;;
    -*) gone="\${line#-}"; kept=""; for g in $groups; do [ "$g" = "$gone" ] || kept="$kept $g"; done; groups="$kept" ;;
  esac
done
[ -z "$groups" ] && exit 0
for g in $groups; do kill -TERM -"$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
exit 0
`;

export interface Guardian {
  pid: number;
  watch(pgid: number): void;
  forget(pgid: number): void;
  /** Ends the guardian once everything is stopped; it kills whatever is still listed. */
  close(): Promise<void>;
}

export function startGuardian(): Guardian {
  const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the guardian nor its pipe may keep the parent's event loop alive.
  child.unref();
  const stdin = child.stdin!;
  (stdin as unknown as { unref?: () => void }).unref?.();
  stdin.on('error', () => {
    // The guardian died (someone killed it): the stack still stops normally, only without the safety net.
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const send = (line: string) => {
    if (!stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    pid: child.pid!,
    watch: (pgid) => send(`+${pgid}`),
    forget: (pgid) => send(`-${pgid}`),
    async close() {
      stdin.end();
      await exited;
    },
  };
}
