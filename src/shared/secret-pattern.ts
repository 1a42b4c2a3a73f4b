// A secret rarely travels as itself once it has left Vigil. A browser posts it form-encoded
// (`a+b` → `a%2Bb`, a space → `+`) and normalises the URLs it fetches (`'` → `%27`), JSON escapes its
// quotes and backslashes (some servers every non-ASCII character too: `\u00e9`), an HTML page
// escapes `&` and `"`, a page in a legacy charset posts `é` as `%E9`, and a trace stores what it
// could not decode as U+FFFD. Listing whole encoded copies misses the mixtures (a URL with some
// characters encoded by the page, others by the browser), so the pattern is built per character:
// each one may appear as itself or in any of its encodings.

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

// Hex digits in either case: percent-encoders and JSON writers disagree (`%2B` / `%2b`, `\u00E9`).
const hexEither = (byte: number) =>
  byte
    .toString(16)
    .toUpperCase()
    .padStart(2, '0')
    .split('')
    .map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d))
    .join('');

const percentEncoded = (bytes: Iterable<number>) => [...bytes].map((b) => `%${hexEither(b)}`).join('');

const jsonUnicode = (char: string) =>
  [...Array(char.length).keys()]
    .map((i) => {
      const unit = char.charCodeAt(i);
      return `\\\\u${hexEither(unit >> 8)}${hexEither(unit & 0xff)}`;
    })
    .join('');

const JSON_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '/': '\\/' };
const HTML_ENTITIES: Record<string, string[]> = { '&': ['&amp;'], '<': ['&lt;'], '>': ['&gt;'], '"': ['&quot;'], "'": ['&#39;', '&#x27;', '&apos;'] };

/** Regular-expression source for one character of a secret: itself or any known encoding of it. */
function characterPattern(char: string): string {
  const code = char.codePointAt(0)!;
  const utf8 = Buffer.from(char, 'utf8');
  const literals = new Set([char]);
  const patterns = new Set([percentEncoded(utf8)]);
  if (char === ' ') literals.add('+');
  const escaped = JSON_ESCAPES[char];
  if (escaped) {
    literals.add(escaped);
    // JSON inside JSON (a request body recorded in a JSON trace line): escaped once more.
    literals.add(JSON.stringify(escaped).slice(1, -1));
  }
  for (const entity of HTML_ENTITIES[char] ?? []) literals.add(entity);
  if (code < 0x20 || code > 0x7e || escaped || HTML_ENTITIES[char]) {
    patterns.add(jsonUnicode(char));
    literals.add(`&#${code};`);
  }
  if (code > 0x7f) {
    // A page in a legacy charset (windows-1252) posts Latin-1 bytes; a decoder that expected UTF-8
    // keeps U+FFFD; a binary body scanned byte by byte shows the UTF-8 bytes as Latin-1 characters.
    if (code <= 0xff) patterns.add(percentEncoded([code]));
    literals.add('\uFFFD');
    literals.add(utf8.toString('latin1'));
  }
  const alternatives = [...[...literals].map(escapeRegex), ...patterns];
  return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
}

/** Regular-expression source matching `secret` as itself or encoded, character by character. */
export function secretPattern(secret: string): string {
  return [...secret].map(characterPattern).join('');
}
