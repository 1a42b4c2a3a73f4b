// Schema changes, applied in order; the version is the count applied (SQLite: `PRAGMA user_version`,
// PostgreSQL: the vigil_schema table). Append only: a shipped migration is never edited, because stores
// in the field already ran it. Each migration is written for both engines; PostgreSQL stores start at
// the schema SQLite stores had reached by migration 5, so its 1 holds all of it and 2–5 are empty —
// the same version number means the same schema on both.

export interface Migration {
  sqlite: string;
  postgres: string;
}

const sqliteMigrations: readonly string[] = [
  // 1: runs with their summary columns, failures for querying, the tenant ledger.
  `
  CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    status      TEXT NOT NULL,
    error_phase TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result      TEXT NOT NULL
  );
  CREATE INDEX runs_by_suite ON runs (suite, environment, started_at);
  CREATE INDEX runs_by_start ON runs (started_at);

  CREATE TABLE run_failures (
    run_id  TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    title   TEXT NOT NULL,
    file    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    error   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE INDEX run_failures_by_title ON run_failures (title);

  CREATE TABLE tenants (
    name        TEXT PRIMARY KEY,
    provisioner TEXT NOT NULL,
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    state       TEXT NOT NULL,
    fields      TEXT NOT NULL DEFAULT '{}',
    error       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX tenants_by_state ON tenants (state, created_at);
  `,
  // 2: the export spool (undelivered results, retried with backoff) and, per exporter × host × service,
  // the newest result delivered, so a late retry never replaces a newer state.
  `
  CREATE TABLE export_spool (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    exporter        TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    host            TEXT NOT NULL,
    service         TEXT NOT NULL,
    timestamp       INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL
  );
  CREATE INDEX export_spool_due ON export_spool (next_attempt_at);
  CREATE UNIQUE INDEX export_spool_once ON export_spool (exporter, run_id, host, service);

  CREATE TABLE export_delivered (
    exporter     TEXT NOT NULL,
    host         TEXT NOT NULL,
    service      TEXT NOT NULL,
    timestamp    INTEGER NOT NULL,
    run_id       TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (exporter, host, service)
  );
  `,
  // 3: scenario runs (vigil scenario run): one row per scenario per run, the full result as JSON.
  `
  CREATE TABLE scenario_runs (
    id          TEXT PRIMARY KEY,
    scenario    TEXT NOT NULL,
    file        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result      TEXT NOT NULL
  );
  CREATE INDEX scenario_runs_by_scenario ON scenario_runs (scenario, started_at);
  `,
  // 4: every test of a run (the run page lists them all; the suite page charts their durations), and
  // the pauses of suite × environment pairs (a restart keeps them; maintenance windows are config).
  `
  CREATE TABLE run_tests (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    title       TEXT NOT NULL,
    file        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    project     TEXT,
    outcome     TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    retries     INTEGER NOT NULL,
    error       TEXT,
    snippet     TEXT,
    PRIMARY KEY (run_id, seq)
  );

  CREATE TABLE pauses (
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    until       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (suite, environment)
  );
  `,
  // 5: runs saved but not yet handed to the exporters (delivered or spooled). Saved 0 in the same
  // transaction as the run, set to 1 once the fan-out took it; a process killed in between leaves a 0
  // that the next spool pass publishes. Runs from before this migration count as handed over.
  `
  ALTER TABLE runs ADD COLUMN handed_over INTEGER NOT NULL DEFAULT 1;
  CREATE INDEX runs_not_handed_over ON runs (handed_over) WHERE handed_over = 0;
  `,
];

// PostgreSQL's whole schema up to SQLite's migration 5, in its dialect: identity columns instead of
// AUTOINCREMENT; otherwise the same tables, columns, types and indexes.
const POSTGRES_1 = `
  CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    status      TEXT NOT NULL,
    error_phase TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result      TEXT NOT NULL,
    handed_over INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX runs_by_suite ON runs (suite, environment, started_at);
  CREATE INDEX runs_by_start ON runs (started_at);
  CREATE INDEX runs_not_handed_over ON runs (handed_over) WHERE handed_over = 0;

  CREATE TABLE run_failures (
    run_id  TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    title   TEXT NOT NULL,
    file    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    error   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE INDEX run_failures_by_title ON run_failures (title);

  CREATE TABLE tenants (
    name        TEXT PRIMARY KEY,
    provisioner TEXT NOT NULL,
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    state       TEXT NOT NULL,
    fields      TEXT NOT NULL DEFAULT '{}',
    error       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX tenants_by_state ON tenants (state, created_at);

  CREATE TABLE export_spool (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exporter        TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    host            TEXT NOT NULL,
    service         TEXT NOT NULL,
    timestamp       BIGINT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL
  );
  CREATE INDEX export_spool_due ON export_spool (next_attempt_at);
  CREATE UNIQUE INDEX export_spool_once ON export_spool (exporter, run_id, host, service);

  CREATE TABLE export_delivered (
    exporter     TEXT NOT NULL,
    host         TEXT NOT NULL,
    service      TEXT NOT NULL,
    timestamp    BIGINT NOT NULL,
    run_id       TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (exporter, host, service)
  );

  CREATE TABLE scenario_runs (
    id          TEXT PRIMARY KEY,
    scenario    TEXT NOT NULL,
    file        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result      TEXT NOT NULL
  );
  CREATE INDEX scenario_runs_by_scenario ON scenario_runs (scenario, started_at);

  CREATE TABLE run_tests (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    title       TEXT NOT NULL,
    file        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    project     TEXT,
    outcome     TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    retries     INTEGER NOT NULL,
    error       TEXT,
    snippet     TEXT,
    PRIMARY KEY (run_id, seq)
  );

  CREATE TABLE pauses (
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    until       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (suite, environment)
  );
`;

export const migrations: readonly Migration[] = sqliteMigrations.map((sqlite, i) => ({ sqlite, postgres: i === 0 ? POSTGRES_1 : '' }));
