// Escaping for the JUnit XML Vigil writes (scenarios, the deploy gate): text and attributes escaped,
// and characters XML 1.0 cannot carry at all dropped.

// Control characters other than tab, LF and CR (and unpaired surrogates, U+FFFE/U+FFFF) are not allowed in XML 1.0.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** For attribute values: newlines and tabs too, or a parser would normalise them to spaces. */
export const escapeAttribute = (text: string): string => text.replace(INVALID, '').replace(/[&<>"'\n\r\t]/g, (c) => ENTITIES[c]);
export const escapeText = (text: string): string => text.replace(INVALID, '').replace(/[&<>]/g, (c) => ENTITIES[c]);
