// Writing to Nagios's external command file (a FIFO), for whoever has commands to give: the command-file
// transport (passive results, downtimes) and the service model (forced re-checks).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ExportError, messageOf } from './errors.ts';

/** PIPE_BUF: a write() of at most this many bytes to a FIFO is atomic, so concurrent writers never interleave. */
export const PIPE_BUF = 4096;

/**
 * Writes whole command lines (each ending in "\n") to Nagios's external command file, packed into
 * writes of at most PIPE_BUF bytes. O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of
 * hanging until Nagios starts. Anything but a FIFO is refused before a byte is written. Throws
 * ExportError naming the file and why; the fan-out keeps the result spooled until the file is fixed.
 */
export async function writeCommandLines(path: string, lines: string[], where: string): Promise<void> {
  const chunks: Buffer[] = [];
  let current = '';
  for (const line of lines) {
    if (current && Buffer.byteLength(current) + Buffer.byteLength(line) > PIPE_BUF) {
      chunks.push(Buffer.from(current));
      current = '';
    }
    current += line;
  }
  if (current) chunks.push(Buffer.from(current));
  if (chunks.length === 0) return;

  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_APPEND);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENXIO') throw new ExportError(`Nagios is not reading ${path} (is it running?)`, { where, cause: err });
    if (code === 'ENOENT') {
      throw new ExportError(`${path} does not exist: is command_check_interval/check_external_commands enabled and the path right?`, { where, cause: err });
    }
    if (code === 'EACCES') throw new ExportError(`no permission to write ${path} (is Vigil's user in the nagios command group?)`, { where, cause: err });
    throw new ExportError(`cannot open ${path}: ${messageOf(err)}`, { where, cause: err });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFIFO()) {
      const what = stat.isFile() ? 'a regular file' : stat.isDirectory() ? 'a folder' : 'not a FIFO';
      throw new ExportError(
        `${path} is ${what}, not the named pipe Nagios reads: nothing written there would reach Nagios. ` +
          'Check command_file in nagios.cfg; if Nagios is stopped, remove the file and start Nagios, which creates the pipe',
        { where },
      );
    }
    for (const chunk of chunks) {
      const { bytesWritten } = await handle.write(chunk, 0, chunk.length);
      if (bytesWritten !== chunk.length) throw new ExportError(`short write to ${path}: ${bytesWritten} of ${chunk.length} bytes`, { where });
    }
  } catch (err) {
    if (err instanceof ExportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EAGAIN' ? 'the pipe is full (Nagios is not keeping up)' : code === 'EPIPE' ? 'Nagios closed the pipe' : messageOf(err);
    throw new ExportError(`cannot write to ${path}: ${why}`, { where, cause: err });
  } finally {
    await handle.close().catch(() => {});
  }
}
