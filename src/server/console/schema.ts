// The console's own tables (accounts, login sessions, API keys, audit log): the `console` plugin's migrations,
// numbered within the plugin. Version 1 also made workflow and webhook tables that duplicated the API's; 2 drops them.
import { createTable, type ColumnTypes, type ServerMigration } from '../schema';
import type { Dialect } from '../sql';

/** ColumnTypes carries no dialect; its blob type tells them apart (the append-only triggers differ by dialect). */
const dialectOf = (t: ColumnTypes): Dialect => (t.blob === 'BYTEA' ? 'postgres' : 'sqlite');

const APPEND_ONLY_MESSAGE = 'console_audit is append-only';

/** Triggers that refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) of audit rows, whoever connects. */
function appendOnlyTriggers(dialect: Dialect): string[] {
  if (dialect === 'sqlite') {
    return [
      `CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END`,
      `CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END`,
    ];
  }
  return [
    `CREATE FUNCTION console_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN RAISE EXCEPTION '${APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $fn$`,
    'CREATE TRIGGER console_audit_no_change BEFORE UPDATE OR DELETE ON console_audit FOR EACH ROW EXECUTE FUNCTION console_audit_refuse()',
    'CREATE TRIGGER console_audit_no_truncate BEFORE TRUNCATE ON console_audit FOR EACH STATEMENT EXECUTE FUNCTION console_audit_refuse()',
  ];
}

export const CONSOLE_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: 'console users, login sessions, api keys, append-only audit, workflows, webhook destinations',
    statements: (t) => [
      createTable('console_users', [
        `id ${t.id}`,
        'username TEXT NOT NULL UNIQUE',
        'password_hash TEXT NOT NULL',
        "role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin'))",
        'created_at TEXT NOT NULL',
        'disabled_at TEXT',
        'failed_logins INTEGER NOT NULL DEFAULT 0',
        `locked_until ${t.bigint} NOT NULL DEFAULT 0`,
      ]),
      createTable('console_login_sessions', [
        'token_hash TEXT PRIMARY KEY',
        'user_id INTEGER NOT NULL REFERENCES console_users (id)',
        'csrf_token TEXT NOT NULL',
        `created_at ${t.bigint} NOT NULL`,
        `expires_at ${t.bigint} NOT NULL`,
        `idle_expires_at ${t.bigint} NOT NULL`,
      ]),
      createTable('console_api_keys', [
        `id ${t.id}`,
        'user_id INTEGER NOT NULL REFERENCES console_users (id)',
        'label TEXT NOT NULL',
        'prefix TEXT NOT NULL',
        'key_hash TEXT NOT NULL UNIQUE',
        'created_at TEXT NOT NULL',
        'revoked_at TEXT',
        'last_used_at TEXT',
      ]),
      createTable('console_audit', [
        `id ${t.id}`,
        'at TEXT NOT NULL',
        'actor_type TEXT NOT NULL',
        'actor TEXT NOT NULL',
        'action TEXT NOT NULL',
        'target TEXT',
        'detail TEXT NOT NULL',
        'ip TEXT',
        'prev_hash TEXT NOT NULL',
        'hash TEXT NOT NULL UNIQUE',
      ]),
      ...appendOnlyTriggers(dialectOf(t)),
    ],
  },
  {
    version: 2,
    name: 'workflows and webhook destinations live in the API tables (/v3/workflows/, /v3/webhook/destinations/)',
    statements: () => ['DROP TABLE IF EXISTS console_workflows', 'DROP TABLE IF EXISTS console_webhook_destinations'],
  },
];
