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
  {
    version: 2,
    name: 'sessions (central and walk-in), attempts, reviews without a decision, workflows, webhook destinations, server keys, erased records',
    statements: (t) => [
      `CREATE TABLE sessions (
        id ${t.id},
        session_id TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL,
        status TEXT NOT NULL,
        workflow_id TEXT,
        workflow_version INTEGER,
        settings_json TEXT,
        vendor_data TEXT,
        callback TEXT,
        metadata_json TEXT,
        device_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      'CREATE INDEX sessions_status ON sessions (status)',
      'CREATE INDEX sessions_created_at ON sessions (created_at)',
      `CREATE TABLE session_attempts (
        attempt_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (session_id),
        attempt INTEGER NOT NULL,
        short_code TEXT NOT NULL UNIQUE,
        expires_at ${t.bigint} NOT NULL,
        token TEXT NOT NULL,
        claimed_by TEXT,
        claimed_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (session_id, attempt)
      )`,
      'ALTER TABLE decisions ADD COLUMN session_ref TEXT',
      'UPDATE decisions SET session_ref = session_id',
      'CREATE INDEX decisions_session_ref ON decisions (session_ref)',
      `INSERT INTO sessions (session_id, origin, status, vendor_data, device_id, created_at, updated_at)
        SELECT session_id, 'kiosk', status, device_id, device_id, created_at, received_at FROM decisions ORDER BY id`,
      // reviews is rebuilt without its foreign key to decisions: a central session is reviewed before any decision.
      `CREATE TABLE session_reviews (
        id ${t.id},
        session_id TEXT NOT NULL REFERENCES sessions (session_id),
        decision TEXT,
        previous_status TEXT NOT NULL,
        new_status TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT,
        reviewed_at TEXT NOT NULL
      )`,
      `INSERT INTO session_reviews (session_id, decision, previous_status, new_status, reviewer, note, reviewed_at)
        SELECT session_id, decision, previous_status, new_status, reviewer, note, reviewed_at FROM reviews ORDER BY id`,
      'DROP TABLE reviews',
      'ALTER TABLE session_reviews RENAME TO reviews',
      `CREATE TABLE workflows (
        uuid TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        version INTEGER NOT NULL,
        settings_json TEXT NOT NULL,
        features_json TEXT NOT NULL,
        is_default INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        max_retry_attempts INTEGER,
        session_expiration_time INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE TABLE webhook_destinations (
        uuid TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        webhook_version TEXT NOT NULL,
        subscribed_events_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      'ALTER TABLE webhook_deliveries ADD COLUMN destination_id TEXT',
      'ALTER TABLE devices ADD COLUMN workflow_id TEXT',
      `CREATE TABLE server_keys (
        purpose TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        private_key_pem TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE erased_records (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        erased_at TEXT NOT NULL,
        PRIMARY KEY (device_id, seq)
      )`,
    ],
  },
];

/**
 * The devices plugin's own tables (numbered within that plugin): request nonces seen inside the freshness window,
 * so a replayed signed request is refused by every instance; and records whose session belonged to another
 * device, kept (not lost) so the device's chain moves past them.
 */
export const DEVICE_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: "request nonces, records refused for another device's session",
    statements: (t) => [
      `CREATE TABLE request_nonces (
        device_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at ${t.bigint} NOT NULL,
        PRIMARY KEY (device_id, nonce)
      )`,
      'CREATE INDEX request_nonces_expiry ON request_nonces (expires_at)',
      `CREATE TABLE session_conflicts (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        record_json TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (device_id, seq)
      )`,
    ],
  },
];
