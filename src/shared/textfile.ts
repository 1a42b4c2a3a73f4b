// node_exporter's textfile collector reads every *.prom file in its directory at scrape time, so a
// half-written file would be scraped as garbage: write a temp file beside it, then rename (atomic on
// one filesystem). The temp name does not end in .prom so the collector never reads it.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExportError, messageOf } from './errors.ts';

/**
 * Writes Vigil's own series (no process_* metrics: node_exporter has its own) to `path`: the exporter's
 * `results` registry, or the scenarios' (anything with prom-client's `metrics()`).
 */
export async function writeTextfile(exporter: { results: { metrics(): Promise<string> } }, path: string): Promise<void> {
  if (!path.endsWith('.prom')) {
    throw new ExportError('file name must end in .prom, or node_exporter will not read it', {
      where: `textfile ${path}`,
    });
  }
  const text = await exporter.results.metrics();
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new ExportError(messageOf(err), { where: `textfile ${path}`, cause: err });
  }
}
