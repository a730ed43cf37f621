// Versioned schema of the kiosk's store. Append new migrations; never edit an applied one.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'decisions, images, outbox, identity, settings',
    sql: `
      CREATE TABLE identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        public_key_pem TEXT NOT NULL,
        private_key_enc BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        -- the signed evidence record, byte for byte as hashed: {seq, session_id, result, image_sha256, prev_hash}
        record_json TEXT NOT NULL,
        result_json TEXT GENERATED ALWAYS AS (json_extract(record_json, '$.result')) VIRTUAL,
        image_sha256 TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        signature TEXT NOT NULL
      );
      CREATE INDEX decisions_created_at ON decisions (created_at);
      CREATE TABLE images (
        seq INTEGER PRIMARY KEY REFERENCES decisions (seq) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        ciphertext BLOB NOT NULL
      );
      CREATE INDEX images_created_at ON images (created_at);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY REFERENCES decisions (seq) ON DELETE CASCADE,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
      );
      CREATE INDEX outbox_state_seq ON outbox (state, seq);
    `,
  },
];

/** Apply pending migrations, each in its own transaction, recording them in schema_migrations. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version));
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      // Another process may have applied it between our read and our write lock.
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      done.push(migration.version);
    }).immediate();
  }
  return done;
}
