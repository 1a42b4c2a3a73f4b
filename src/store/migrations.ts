// Schema changes, applied in order; the version is the count applied (SQLite: `PRAGMA user_version`,
// PostgreSQL: the vigil_schema table). Append only: a shipped migration is never edited, because stores
// in the field already ran it. Each migration is written for both engines; PostgreSQL stores start at
// the schema SQLite stores had reached by migration 5, so its 1 holds all of it and 2–5 are empty —
// the same version number means the same schema on both.

export interface Migration {
  sqlite: string;
  postgres: string;
}

// 6: replicas on one store (docs/deploy.md, "Replicas on PostgreSQL"). `fires`: each scheduled fire
// of a pair, taken by exactly one replica (the primary key is the claim). `active_runs`: the run a pair
// has going, cluster-wide, with a lease its replica renews; a lease that runs out is another replica's
// to record as interrupted. `replicas`: who is up, and where. On runs: the location that ran it, and
// a short claim on handing a leftover run to the exporters, so two replicas never both publish it.
// The same text on both engines.
const CLUSTER = `
  CREATE TABLE fires (
    pair_key   TEXT NOT NULL,
    fire_at    TEXT NOT NULL,
    replica    TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (pair_key, fire_at)
  );
  CREATE INDEX fires_by_claim ON fires (claimed_at);

  CREATE TABLE active_runs (
    pair_key    TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL UNIQUE,
    suite       TEXT NOT NULL,
    environment TEXT NOT NULL,
    location    TEXT NOT NULL DEFAULT '',
    trigger     TEXT NOT NULL,
    replica     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    lease_until TEXT NOT NULL
  );
  CREATE INDEX active_runs_by_lease ON active_runs (lease_until);

  CREATE TABLE replicas (
    name       TEXT PRIMARY KEY,
    location   TEXT NOT NULL DEFAULT '',
    url        TEXT,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
  );

  ALTER TABLE runs ADD COLUMN location TEXT NOT NULL DEFAULT '';
  ALTER TABLE runs ADD COLUMN handover_claim TEXT;
`;

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
  CLUSTER,
  // 7: a suite run from several locations is judged from each location's newest run (core/locations.ts).
  `
  CREATE INDEX runs_by_location ON runs (suite, environment, location, started_at);
  `,
  // 8: every replica asks for each pair's (and location's) newest run and newest success every quarter
  // lease; at 100,000 runs a window over the whole table took 0.3 s (PostgreSQL) to 0.7 s (SQLite).
  // Indexes in the queries' full order make each answer one seek per pair (run-store.ts).
  `
  DROP INDEX runs_by_suite;
  DROP INDEX runs_by_location;
  CREATE INDEX runs_newest ON runs (suite, environment, started_at, finished_at, run_id);
  CREATE INDEX runs_newest_by_location ON runs (suite, environment, location, started_at, finished_at, run_id);
  CREATE INDEX runs_success ON runs (suite, environment, status, finished_at);
  `,
  // 9: the undos a scenario owes (docs/scenarios.md, "SIGTERM and kill -9"): written before the action
  // that needs it starts, removed once the undo ran. Only the undo's name in scenarios.actions and the
  // step's parameters: the action itself (its ${VAR}s) comes from the config when it is replayed. A
  // row's lease is its owner's (the process running the scenario) while renewed; past it, or after a
  // failed attempt past its retry time, any process on the store may take it and run the undo.
  `
  CREATE TABLE scenario_undos (
    id          TEXT PRIMARY KEY,
    undo_action TEXT NOT NULL,
    action      TEXT NOT NULL,
    params      TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    schedule    TEXT,
    owner       TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX scenario_undos_by_lease ON scenario_undos (lease_until);
  `,
  // 10: what a scheduled scenario holds cluster-wide while it runs (docs/scenarios.md, "Across
  // replicas"): one row for its entry (`scenario:<name>`, one run of an entry at a time) and one per
  // environment it acts on (`environment:<name>`: no suite run starts there meanwhile), all with the
  // fire's id and a lease its replica renews with its runs'. A row past its lease holds nothing.
  `
  CREATE TABLE scenario_holds (
    hold_key    TEXT PRIMARY KEY,
    fire_id     TEXT NOT NULL,
    entry       TEXT NOT NULL,
    replica     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    lease_until TEXT NOT NULL
  );
  CREATE INDEX scenario_holds_by_fire ON scenario_holds (fire_id);
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

// From 6 on, one text serves both engines.
export const migrations: readonly Migration[] = sqliteMigrations.map((sqlite, i) => ({ sqlite, postgres: i === 0 ? POSTGRES_1 : i < 5 ? '' : sqlite }));
