// The core tables of the central API: devices, decisions, images, reviews, audit and the webhook outbox.
import type { ServerMigration } from './schema';

export const CORE_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: 'devices, decisions, images, reviews, audit, webhooks',
    statements: (t) => [
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key_pem TEXT NOT NULL UNIQUE,
        enrolled_at TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_hash TEXT NOT NULL
      )`,
      `CREATE TABLE enrol_tokens (
        token_hash TEXT PRIMARY KEY,
        used_by TEXT REFERENCES devices (id),
        used_at TEXT
      )`,
      `CREATE TABLE decisions (
        id ${t.id},
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq INTEGER NOT NULL,
        session_id TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        decided_status TEXT NOT NULL,
        liveness_mode TEXT NOT NULL,
        liveness_score REAL NOT NULL,
        created_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        record_json TEXT NOT NULL,
        hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        signature TEXT NOT NULL,
        image_sha256 TEXT,
        UNIQUE (device_id, seq)
      )`,
      'CREATE INDEX decisions_status ON decisions (status)',
      'CREATE INDEX decisions_created_at ON decisions (created_at)',
      `CREATE TABLE images (
        session_id TEXT PRIMARY KEY REFERENCES decisions (session_id),
        mime TEXT NOT NULL,
        bytes ${t.blob} NOT NULL
      )`,
      `CREATE TABLE reviews (
        id ${t.id},
        session_id TEXT NOT NULL REFERENCES decisions (session_id),
        decision TEXT NOT NULL,
        previous_status TEXT NOT NULL,
        new_status TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT,
        reviewed_at TEXT NOT NULL
      )`,
      `CREATE TABLE audit_events (
        id ${t.id},
        device_id TEXT,
        seq INTEGER,
        session_id TEXT,
        code TEXT NOT NULL,
        detail TEXT NOT NULL,
        at TEXT NOT NULL
      )`,
      'CREATE INDEX audit_events_device ON audit_events (device_id, code, seq)',
      `CREATE TABLE webhook_deliveries (
        id ${t.id},
        url TEXT NOT NULL,
        event TEXT NOT NULL,
        session_id TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${t.bigint} NOT NULL,
        locked_until ${t.bigint} NOT NULL DEFAULT 0,
        last_status INTEGER,
        last_error TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT
      )`,
      'CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)',
    ],
  },
];
