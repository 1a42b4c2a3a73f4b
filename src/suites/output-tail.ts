const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export const stripAnsi = (text: string): string => text.replace(ANSI, '');

/** The last `maxLines` lines of a stream, ANSI-free, for diagnostics; memory stays bounded. */
export function createLineTail(maxLines: number, onLine?: (line: string) => void) {
  const lines: string[] = [];
  let partial = '';
  const push = (line: string) => {
    const clean = stripAnsi(line).trimEnd();
    if (clean === '') return;
    onLine?.(clean);
    lines.push(clean.length > 500 ? `${clean.slice(0, 500)}…` : clean);
    if (lines.length > maxLines) lines.shift();
  };
  return {
    write(chunk: string): void {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      if (partial.length > 10_000) partial = partial.slice(-10_000);
      for (const p of parts) push(p);
    },
    end(): void {
      if (partial) push(partial);
      partial = '';
    },
    lines: (): string[] => [...lines],
  };
}
