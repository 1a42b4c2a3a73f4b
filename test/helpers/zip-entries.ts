// Reads a zip the way the trace viewer does (central directory order), with yauzl, for tests that
// look inside kept archives.
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export async function zipEntries(file: string): Promise<ZipEntry[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const entries: ZipEntry[] = [];
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName.endsWith('/')) continue;
    entries.push({ name: entry.fileName, data: await buffer(await zip.openReadStreamPromise(entry)) });
  }
  return entries;
}
