// Runs the real `vigil` CLI as a child process, the way an operator or a pipeline does.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repoRoot, 'src/cli/vigil.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnVigil(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess & { done: Promise<CliResult> } {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, CI: undefined, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { done });
}

export async function runVigil(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnVigil(args, opts);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  try {
    return await child.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `predicate` holds for the text the child has written so far (bounded). */
export async function waitForOutput(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  predicate: (text: string) => boolean,
  timeoutMs = 60_000,
): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${stream}; got:\n${text}`)), timeoutMs);
    child[stream]!.on('data', (d: Buffer | string) => {
      text += d.toString();
      if (predicate(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}
