// The one thing the store's modules talk to: SQL with `?` placeholders, the same text for both
// engines (node:sqlite embedded, PostgreSQL for replicas). Where the dialects differ the modules do not
// branch: the schema is written per engine (migrations.ts) and the few portable-SQL rules are kept —
// ISO 8601 text for time, INTEGER 0/1 for flags, JSON as TEXT, an alias on every subquery in FROM,
// no rowid (ties are broken by a column), `?` never inside a string literal.

export type SqlValue = string | number | bigint | null;

export interface SqlOps {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Rows changed by an INSERT / UPDATE / DELETE. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDb extends SqlOps {
  readonly engine: 'sqlite' | 'postgres';
  /** What to call it in messages: the file, or the database URL without its password. */
  readonly location: string;
  /** `fn` runs alone in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (tx: SqlOps) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` → `$1`, `$2`, … for PostgreSQL (the store's SQL never has a `?` inside a literal). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// Rows per INSERT: far below both engines' limits on bound values (SQLite 32766, PostgreSQL 65535).
const ROWS_PER_INSERT = 200;

/** One INSERT per batch of rows, not one per row: a run's tests reach PostgreSQL in a round trip or two. */
export async function insertMany(tx: SqlOps, table: string, columns: readonly string[], rows: ReadonlyArray<readonly SqlValue[]>): Promise<void> {
  const row = `(${columns.map(() => '?').join(', ')})`;
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const batch = rows.slice(at, at + ROWS_PER_INSERT);
    await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${batch.map(() => row).join(', ')}`, batch.flat());
  }
}
