// Which Vigil this is — the first thing an operator checks after a pull: `vigil --version`,
// vigil_build_info{version,revision} and the UI's footer all say the same. The image build stamps
// build-info.json (its VERSION and REVISION build arguments, also the image's OCI labels); a git
// checkout knows its revision from .git; otherwise package.json's version alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildInfo {
  version: string;
  /** The commit it was built from, when known. */
  revision?: string;
}

const ROOT = join(import.meta.dirname, '..', '..');

const readJson = (file: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** HEAD's commit from .git without running git: HEAD is a sha, or a ref in refs/ or packed-refs. */
function gitRevision(root: string): string | undefined {
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    try {
      return readFileSync(join(root, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8');
      return packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.split(' ')[0];
    }
  } catch {
    return undefined;
  }
}

let cached: BuildInfo | undefined;

export function buildInfo(root = ROOT): BuildInfo {
  if (root === ROOT && cached) return cached;
  const stamped = readJson(join(root, 'build-info.json'));
  const version = text(stamped?.version) ?? text(readJson(join(root, 'package.json'))?.version) ?? 'unknown';
  const revision = text(stamped?.revision) ?? gitRevision(root);
  const info = { version, ...(revision ? { revision } : {}) };
  if (root === ROOT) cached = info;
  return info;
}

/** `0.1.0 (revision 3f2a9c1e0b7d)`, or the version alone. */
export const describeBuild = (info: BuildInfo = buildInfo()): string =>
  info.revision ? `${info.version} (revision ${info.revision.slice(0, 12)})` : info.version;
