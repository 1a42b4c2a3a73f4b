// What a SQLite failure means for the operator. node:sqlite reports a primary result code (`errcode`,
// extended codes keep it in the low byte); the words below say what to change, where the raw SQLite
// text ("attempt to write a readonly database") leaves a person guessing, or worse, suggests the
// file is broken when its folder is merely not writable.

const SQLITE_PERM = 3;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

export type StoreFailureKind = 'read_only' | 'cannot_open' | 'disk_full' | 'io_error' | 'not_a_store' | 'other';

export function storeFailureKind(err: unknown): StoreFailureKind {
  const errcode = (err as { errcode?: unknown } | null)?.errcode;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read_only';
  if (code === 'ENOSPC') return 'disk_full';
  if (typeof errcode !== 'number') return 'other';
  switch (errcode & 0xff) {
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return 'read_only';
    case SQLITE_CANTOPEN:
      return 'cannot_open';
    case SQLITE_FULL:
      return 'disk_full';
    case SQLITE_IOERR:
      return 'io_error';
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return 'not_a_store';
    default:
      return 'other';
  }
}

const who = () => (typeof process.getuid === 'function' ? ` (Vigil runs as uid ${process.getuid()})` : '');

/** Who Vigil is, for "may it write there". */
export const runningAs = who;

/** One sentence: what is wrong with the store's file and what to do; the raw cause in parentheses. */
export function describeStoreFailure(err: unknown, cause: string): string {
  switch (storeFailureKind(err)) {
    case 'read_only':
      return `the file or its folder is read-only${who()}: Vigil writes runs, the tenant ledger and the export spool there, and SQLite keeps -wal and -shm files next to it, so both must be writable (${cause})`;
    case 'cannot_open':
      return `cannot open or create the file: does its folder exist, and may Vigil write there${who()}? (${cause})`;
    case 'disk_full':
      return `the disk is full: free space or move the store (${cause})`;
    case 'io_error':
      return `the disk failed a read or write: check the volume (${cause})`;
    case 'not_a_store':
      return `not a usable Vigil store (${cause}); move it aside or point "store:" elsewhere`;
    default:
      return cause;
  }
}
