// A provisioner's answer is a few hundred bytes of JSON. One that is far larger, or not text at all,
// is a misconfigured URL or command (a file download, a log dump, `yes`): read no more than the limit,
// so a wrong answer is a clear error instead of a process that grows without bound.

export const MAX_ANSWER_BYTES = 1024 * 1024;
export const MAX_ANSWER_WORDS = '1 MiB';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not valid UTF-8 (a binary answer). */
export function decodeAnswer(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** How a binary answer is described: its size and first bytes in hex, never the bytes themselves. */
export function describeBinary(bytes: Uint8Array): string {
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes that are not UTF-8 text, so not JSON (they start ${head}${bytes.length > 8 ? ' …' : ''})`;
}

/**
 * Reads a body up to MAX_ANSWER_BYTES. Stops reading (and cancels the stream) as soon as the limit is
 * passed. The stream is the caller's fetch body, so the caller's abort signal still bounds the read.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  if (!body) return { bytes: new Uint8Array(), tooLarge: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      return { bytes: new Uint8Array(), tooLarge: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks), tooLarge: false };
}
