// What a failed run keeps must not hold the secrets the run used. Playwright writes them in clear:
// a trace records the `fill` action's value, the posted login form, the page snapshots with the
// password field's value, and error-context.md may quote them. Before the run is recorded (and its
// artifacts become downloadable), every kept file is rewritten with each known secret, in each of its
// encodings (see shared/secret-pattern.ts), replaced by the redactor's mask.
//
// - Zip archives (traces) are rewritten entry by entry, keeping names and order so the trace viewer
//   still opens them; images and video inside are copied as they are.
// - Any other file except images and video is scrubbed as text: UTF-8 when it decodes as such, else
//   byte for byte (latin1), which still finds an ASCII secret in a multipart body next to binary data.
// - A file that cannot be read or rewritten (a trace truncated by a kill) is deleted: a trace that
//   will not open is worth less than the secret it may hold in clear.
import { createWriteStream } from 'node:fs';
import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';

export interface ScrubReport {
  /** Files looked at (images and video are not). */
  files: number;
  /** Files rewritten because they held a secret. */
  rewritten: string[];
  /** Files deleted because they could not be scrubbed, with why. */
  removed: Array<{ file: string; error: string }>;
  /** Bytes read. */
  bytes: number;
  ms: number;
}

// Pixels and sound: a secret in them is not text we can find, and rewriting them would only cost time.
const MEDIA = /\.(png|jpe?g|gif|webp|avif|bmp|ico|webm|mp4|ogg|mp3|wav|woff2?|ttf|otf)$/i;
const ARCHIVE = /\.zip$/i;
const TEMP_SUFFIX = '.vigil-scrub';

/**
 * What the orchestrator calls before a failed run is recorded. Never throws: when scrubbing itself
 * fails, the run's whole folder goes, since what is left in it may hold a secret in clear.
 */
export async function scrubKeptArtifacts(options: { dir: string; redact: (text: string) => string; log: Log; runId: string }): Promise<void> {
  const { dir, redact, log, runId } = options;
  try {
    const report = await scrubArtifacts(dir, redact);
    for (const { file, error } of report.removed) {
      log.warn({ runId, file: path.relative(dir, file), err: redact(error) }, 'kept artifact could not be scrubbed of secrets: deleted');
    }
    log.debug({ runId, files: report.files, rewritten: report.rewritten.length, bytes: report.bytes, ms: report.ms }, 'kept artifacts scrubbed of secrets');
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    log.error({ runId, err: redact(messageOf(err)) }, 'scrubbing the kept artifacts of secrets failed: deleted them');
  }
}

/** Rewrites every file under `dir` with `redact` applied to its text; see the file comment. */
export async function scrubArtifacts(dir: string, redact: (text: string) => string): Promise<ScrubReport> {
  const started = performance.now();
  const report: ScrubReport = { files: 0, rewritten: [], removed: [], bytes: 0, ms: 0 };
  for (const file of await filesUnder(dir)) {
    if (MEDIA.test(file)) continue;
    report.files++;
    try {
      report.bytes += (await stat(file)).size;
      if (ARCHIVE.test(file) ? await scrubZip(file, redact) : await scrubFile(file, redact)) report.rewritten.push(file);
    } catch (err) {
      await rm(file, { force: true });
      report.removed.push({ file, error: messageOf(err) });
    }
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** The scrubbed bytes, or null when the text held no secret. */
export function scrubBytes(bytes: Uint8Array, redact: (text: string) => string): Buffer | null {
  const utf8 = decodeUtf8(bytes);
  const text = utf8 ?? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const clean = redact(text);
  if (clean === text) return null;
  return Buffer.from(clean, utf8 === undefined ? 'latin1' : 'utf8');
}

/**
 * Rewrites the archive with every entry but images and video scrubbed, keeping entry names, order,
 * times and modes; leaves it untouched when no entry held a secret. Throws when it cannot be read
 * (truncated, not a zip, an unknown compression). Inflating and deflating run on libuv's threads,
 * so `vigil serve` keeps answering while a large trace is rewritten.
 */
export async function scrubZip(file: string, redact: (text: string) => string): Promise<boolean> {
  const temp = `${file}${TEMP_SUFFIX}`;
  // Loaded on the first zip: an idle `vigil serve`, and every run that passes, keeps nothing.
  const [{ default: yauzl }, { default: yazl }] = await Promise.all([import('yauzl'), import('yazl')]);
  const input = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  const output = new yazl.ZipFile();
  const written = pipeline(output.outputStream, createWriteStream(temp));
  // A write error (a full disk) is awaited below, not reported as unhandled while entries are read.
  written.catch(() => {});
  let changed = false;
  try {
    for await (const entry of input.eachEntry()) {
      const mode = entry.externalFileAttributes >>> 16;
      const meta = { mtime: entry.getLastModDate(), ...(mode ? { mode } : {}) };
      if (entry.fileName.endsWith('/')) {
        output.addEmptyDirectory(entry.fileName, meta);
        continue;
      }
      const data = await buffer(await input.openReadStreamPromise(entry));
      const clean = MEDIA.test(entry.fileName) ? null : scrubBytes(data, redact);
      if (clean) changed = true;
      // Images are copied as they are; deflating them again at the fastest level keeps the archive's
      // size (screencast frames still shrink by half) for a fraction of the time.
      output.addBuffer(clean ?? data, entry.fileName, { ...meta, compressionLevel: MEDIA.test(entry.fileName) ? 1 : 6 });
    }
    output.end();
    await written;
  } catch (err) {
    if (input.isOpen) input.close();
    (output.outputStream as Readable).destroy(err as Error);
    await written.catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  if (changed) await rename(temp, file);
  else await rm(temp, { force: true });
  return changed;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM keeps a byte-order mark, so an untouched region stays byte-identical.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Scrubs a loose file; written next to it, then renamed, so a reader (or a kill) never sees half a file. */
async function scrubFile(file: string, redact: (text: string) => string): Promise<boolean> {
  const clean = scrubBytes(await readFile(file), redact);
  if (!clean) return false;
  const temp = `${file}${TEMP_SUFFIX}`;
  try {
    await writeFile(temp, clean);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return true;
}

/** Regular files only: a symlink is not followed (the artifact server does not serve one that leaves). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
