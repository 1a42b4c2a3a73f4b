// What `store:` names: a file (or ':memory:') is the embedded SQLite store, a postgres:// URL the
// shared PostgreSQL store for replicas. Anything else that looks like a URL is refused — as a file
// name it would give every replica a store of its own without a word.

const URL_LIKE = /^([a-z][a-z0-9+.-]*):\/\//i;
const POSTGRES = /^postgres(ql)?$/i;

/** Why `store:` cannot be used as it is written, or undefined. */
export function storeLocationProblem(location: string): string | undefined {
  const scheme = URL_LIKE.exec(location)?.[1];
  if (scheme === undefined || POSTGRES.test(scheme)) return undefined;
  return `"${scheme}://…" is not a store Vigil can use: give a file path (the embedded SQLite store) or a postgres:// URL (PostgreSQL, for replicas)`;
}

export const isPostgresLocation = (location: string): boolean => POSTGRES.test(URL_LIKE.exec(location)?.[1] ?? '');

/** A file path is resolved against the config's folder; ':memory:' and URLs stay as they are. */
export const isStoreFile = (location: string): boolean => location !== ':memory:' && !URL_LIKE.test(location);
