/**
 * The schema of maspo's shared store, as numbered migrations recorded in `maspo_schema_migrations`. They are applied
 * at a process's first use of the database, in one transaction holding a transaction-scoped advisory lock, so
 * workers starting together apply each step exactly once and the others then find it recorded.
 *
 * Append a migration to change the schema; never edit a published one. Steps are additive, so an older maspo keeps
 * working on a database a newer one has migrated further (it applies nothing and reads the tables it knows).
 */
import type { ClientBase } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payload blobs and LLM response cache',
    // Each row carries the sha256 of its stored bytes, written by the writer and checked by every reader.
    sql: `
      CREATE TABLE maspo_payload_blobs (
        digest      text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
        data        bytea NOT NULL,
        data_sha256 bytea NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE maspo_llm_cache (
        key          text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
        entry        bytea NOT NULL,
        entry_sha256 bytea NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 2,
    name: 'client address of the writer',
    // Which host wrote a row, as the database saw the connection (NULL over a unix socket): an audit trail for a
    // cluster of workers, and how the multi-host test proves that payloads written on one host are read on another.
    // A column default, so writers need no change and an older maspo keeps writing rows that carry it.
    sql: `
      ALTER TABLE maspo_payload_blobs ADD COLUMN written_from inet DEFAULT inet_client_addr();
      ALTER TABLE maspo_llm_cache ADD COLUMN written_from inet DEFAULT inet_client_addr();`,
  },
];

/** Any fixed number serializes the migrators; this one names its purpose. */
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('maspo_schema_migrations'))";

/** Brings the database to the newest schema this code knows. Returns the versions it applied (none: up to date). */
export async function migrate(client: ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query(LOCK_SQL);
    await client.query(
      'CREATE TABLE IF NOT EXISTS maspo_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM maspo_schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO maspo_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
