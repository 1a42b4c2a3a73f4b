import type { Redactor } from '../shared/redact.ts';

/** A short, quoted, redacted piece of text for error messages. Redact first: cutting could split a secret. */
export const excerpt = (text: string, redact: Redactor, max = 80): string => {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
};

/** The last lines of a stream (stderr), redacted. */
export const tail = (text: string, redact: Redactor, max = 400): string => {
  const clean = redact(text).trim();
  return clean.length > max ? `…${clean.slice(-max)}` : clean;
};
