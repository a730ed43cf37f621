// The console's storage: accounts, login sessions, per-user API keys and the append-only audit log. Workflows and
// webhook destinations are the API's own (./workflows.ts). Same statements on SQLite and PostgreSQL.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type ApiKeySummary, type AuditChainCheck, type AuditEntry, type ConsoleUser, type Role } from '../../shared/console-wire';
import { CodedError } from '../../shared/errors';
import { canonicalJson, GENESIS_HASH } from '../../node/sync/evidence';
import { isUniqueViolation, type SqlDb, type SqlRunner } from '../sql';
import { decoyHash, hashPassword, verifyPassword } from './passwords';

export { ROLES, type ConsoleUser, type Role };

const ROLE_RANK: Record<Role, number> = { viewer: 0, reviewer: 1, admin: 2 };
export const roleAtLeast = (role: Role, needed: Role) => ROLE_RANK[role] >= ROLE_RANK[needed];

/** Failed logins in a row that lock an account (the per-IP rate limit in the plugin stops spraying across accounts). */
export const LOGIN_LOCKOUT_AFTER_FAILURES = 5;
/** How long a locked account refuses even the right password. */
export const LOGIN_LOCKOUT_MS = 15 * 60 * 1000;
/** A console session ends after this long without a request (OWASP session management: 15-30 min for sensitive apps). */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** …and after this long whatever happens (one working day). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

const USERNAME = /^[a-z0-9][a-z0-9._@-]{2,63}$/;
/** Integrator keys: a recognisable prefix so leaked keys are easy to scan for; 32 random bytes after it. */
const API_KEY_PREFIX = 'lk_';

export interface Actor {
  type: 'user' | 'api_key' | 'cli';
  name: string;
  ip?: string | null;
}

export interface ApiKeyPrincipal {
  type: 'api_key';
  keyId: number;
  userId: number;
  username: string;
  role: Role;
}

/** An audit entry as stored: its detail is canonical JSON text. */
type AuditRow = Omit<AuditEntry, 'detail'> & { detail: string };

export type LoginOutcome = { ok: true; token: string; csrfToken: string; user: ConsoleUser } | { ok: false; reason: 'invalid' | 'locked' };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const token = () => randomBytes(32).toString('base64url');
const nowIso = () => new Date().toISOString();

export function normalizeUsername(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (!USERNAME.test(name)) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      'A username is 3-64 characters: letters, digits, dot, underscore, @ or hyphen, starting with a letter or digit.',
    );
  }
  return name;
}

function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new CodedError('INVALID_ARGUMENT', `A role is one of ${ROLES.join(', ')}.`);
}

export class ConsoleStore {
  /** On the API's database (the same SqlDb); its tables are the `console` plugin's migrations. */
  constructor(
    readonly db: SqlDb,
    private readonly now: () => number = Date.now,
  ) {}

  // --- audit (append-only: the storage has no update or delete for it, and triggers refuse them) ---

  /** Append inside the caller's transaction so the action and its audit entry commit together. */
  async appendAudit(
    q: SqlRunner,
    actor: Actor,
    action: string,
    target: string | null,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    // Entries are hash-chained; the lock serialises appenders on PostgreSQL (SQLite's write transaction already does).
    if (this.db.dialect === 'postgres') await q.run('SELECT pg_advisory_xact_lock(7215003)');
    const last = await q.get<{ hash: string }>('SELECT hash FROM console_audit ORDER BY id DESC LIMIT 1');
    const prevHash = last?.hash ?? GENESIS_HASH;
    const at = new Date(this.now()).toISOString();
    const body = { at, actor_type: actor.type, actor: actor.name, action, target, detail, ip: actor.ip ?? null };
    const hash = sha256(prevHash + canonicalJson(body));
    await q.run(
      'INSERT INTO console_audit (at, actor_type, actor, action, target, detail, ip, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [at, actor.type, actor.name, action, target, canonicalJson(detail), actor.ip ?? null, prevHash, hash],
    );
  }

  audit(actor: Actor, action: string, target: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    return this.db.tx((q) => this.appendAudit(q, actor, action, target, detail));
  }

  async listAudit(filters: {
    limit: number;
    offset: number;
    actor?: string;
    action?: string;
  }): Promise<{ count: number; results: AuditEntry[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filters.actor) where.push(`actor = $${params.push(filters.actor)}`);
    if (filters.action) where.push(`action = $${params.push(filters.action)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.get<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM console_audit ${clause}`, params);
    const rows = await this.db.all<AuditRow>(
      `SELECT id, at, actor_type, actor, action, target, detail, ip, hash FROM console_audit ${clause} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    return {
      count: Number(total?.n ?? 0),
      results: rows.map((row) => ({ ...row, id: Number(row.id), detail: JSON.parse(row.detail) as Record<string, unknown> })),
    };
  }

  /** Recompute the audit chain: an entry edited or removed behind the triggers' back shows as the first broken id. */
  async verifyAuditChain(): Promise<AuditChainCheck> {
    const rows = await this.db.all<AuditRow & { prev_hash: string }>(
      'SELECT id, at, actor_type, actor, action, target, detail, ip, prev_hash, hash FROM console_audit ORDER BY id',
    );
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const body = {
        at: row.at,
        actor_type: row.actor_type,
        actor: row.actor,
        action: row.action,
        target: row.target,
        detail: JSON.parse(row.detail),
        ip: row.ip,
      };
      if (row.prev_hash !== prev || sha256(prev + canonicalJson(body)) !== row.hash)
        return { ok: false, entries: rows.length, firstBrokenId: Number(row.id) };
      prev = row.hash;
    }
    return { ok: true, entries: rows.length, firstBrokenId: null };
  }

  // --- accounts ---

  async createUser(rawUsername: string, password: string, role: string, actor: Actor): Promise<ConsoleUser> {
    const username = normalizeUsername(rawUsername);
    assertRole(role);
    const passwordHash = await hashPassword(password);
    try {
      return await this.db.tx(async (q) => {
        await q.run('INSERT INTO console_users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)', [
          username,
          passwordHash,
          role,
          nowIso(),
        ]);
        const user = await q.get<ConsoleUser>('SELECT id, username, role, created_at, disabled_at FROM console_users WHERE username = $1', [
          username,
        ]);
        await this.appendAudit(q, actor, 'user.create', username, { role });
        return { ...user!, id: Number(user!.id) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new CodedError('CONFLICT', `A user named ${username} already exists.`);
      throw err;
    }
  }

  async listUsers(): Promise<ConsoleUser[]> {
    const rows = await this.db.all<ConsoleUser>('SELECT id, username, role, created_at, disabled_at FROM console_users ORDER BY username');
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  async countAdmins(): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      "SELECT CAST(COUNT(*) AS INTEGER) AS n FROM console_users WHERE role = 'admin' AND disabled_at IS NULL",
    );
    return Number(row?.n ?? 0);
  }

  /** Disable an account: its sessions end and its API keys stop working at once. */
  async disableUser(userId: number, actor: Actor): Promise<void> {
    await this.db.tx(async (q) => {
      const user = await q.get<{ username: string; role: string }>(
        `SELECT username, role FROM console_users WHERE id = $1 AND disabled_at IS NULL${this.db.forUpdate}`,
        [userId],
      );
      if (!user) throw new CodedError('NOT_FOUND', 'No such active user.');
      if (user.role === 'admin') {
        const admins = await q.get<{ n: number }>(
          "SELECT CAST(COUNT(*) AS INTEGER) AS n FROM console_users WHERE role = 'admin' AND disabled_at IS NULL",
        );
        if (Number(admins?.n) <= 1) throw new CodedError('CONFLICT', 'The last admin cannot be disabled.');
      }
      await q.run('UPDATE console_users SET disabled_at = $1 WHERE id = $2', [nowIso(), userId]);
      await q.run('DELETE FROM console_login_sessions WHERE user_id = $1', [userId]);
      await this.appendAudit(q, actor, 'user.disable', user.username);
    });
  }

  // --- login sessions ---

  async login(rawUsername: string, password: string, ip: string | null): Promise<LoginOutcome> {
    let username: string;
    try {
      username = normalizeUsername(rawUsername);
    } catch {
      await verifyPassword(await decoyHash(), password);
      return { ok: false, reason: 'invalid' };
    }
    const user = await this.db.get<ConsoleUser & { password_hash: string; failed_logins: number; locked_until: number }>(
      'SELECT id, username, role, created_at, disabled_at, password_hash, failed_logins, locked_until FROM console_users WHERE username = $1',
      [username],
    );
    const at = this.now();
    // Verify even for unknown or locked accounts so the answer takes as long either way.
    const matches = await verifyPassword(user?.password_hash ?? (await decoyHash()), password);
    const actor: Actor = { type: 'user', name: username, ip };
    if (!user || user.disabled_at) {
      await this.audit(actor, 'login.failure', username, { reason: user ? 'disabled' : 'unknown_user' });
      return { ok: false, reason: 'invalid' };
    }
    if (Number(user.locked_until) > at) {
      await this.audit(actor, 'login.failure', username, { reason: 'locked' });
      return { ok: false, reason: 'locked' };
    }
    if (!matches) {
      const failures = Number(user.failed_logins) + 1;
      const lock = failures >= LOGIN_LOCKOUT_AFTER_FAILURES;
      await this.db.tx(async (q) => {
        await q.run('UPDATE console_users SET failed_logins = $1, locked_until = $2 WHERE id = $3', [
          lock ? 0 : failures,
          lock ? at + LOGIN_LOCKOUT_MS : 0,
          user.id,
        ]);
        await this.appendAudit(q, actor, 'login.failure', username, {
          reason: 'wrong_password',
          ...(lock ? { locked_minutes: LOGIN_LOCKOUT_MS / 60_000 } : {}),
        });
      });
      return { ok: false, reason: lock ? 'locked' : 'invalid' };
    }
    const sessionToken = token();
    const csrfToken = token();
    await this.db.tx(async (q) => {
      await q.run('UPDATE console_users SET failed_logins = 0, locked_until = 0 WHERE id = $1', [user.id]);
      await q.run('DELETE FROM console_login_sessions WHERE expires_at <= $1 OR idle_expires_at <= $1', [at]);
      await q.run(
        'INSERT INTO console_login_sessions (token_hash, user_id, csrf_token, created_at, expires_at, idle_expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [sha256(sessionToken), user.id, csrfToken, at, at + SESSION_ABSOLUTE_MS, at + SESSION_IDLE_MS],
      );
      await this.appendAudit(q, actor, 'login.success', username);
    });
    return {
      ok: true,
      token: sessionToken,
      csrfToken,
      user: { id: Number(user.id), username: user.username, role: user.role, created_at: user.created_at, disabled_at: null },
    };
  }

  /** The user behind a session cookie, sliding its idle expiry; null when unknown, expired or the account is disabled. */
  async session(sessionToken: string): Promise<{ user: ConsoleUser; csrfToken: string } | null> {
    if (!sessionToken) return null;
    const at = this.now();
    const row = await this.db.get<ConsoleUser & { csrf_token: string; expires_at: number; idle_expires_at: number; user_id: number }>(
      `SELECT s.csrf_token, s.expires_at, s.idle_expires_at, u.id, u.username, u.role, u.created_at, u.disabled_at
         FROM console_login_sessions s JOIN console_users u ON u.id = s.user_id WHERE s.token_hash = $1`,
      [sha256(sessionToken)],
    );
    if (!row || row.disabled_at || Number(row.expires_at) <= at || Number(row.idle_expires_at) <= at) return null;
    await this.db.run('UPDATE console_login_sessions SET idle_expires_at = $1 WHERE token_hash = $2', [
      Math.min(at + SESSION_IDLE_MS, Number(row.expires_at)),
      sha256(sessionToken),
    ]);
    return {
      user: { id: Number(row.id), username: row.username, role: row.role, created_at: row.created_at, disabled_at: null },
      csrfToken: row.csrf_token,
    };
  }

  async logout(sessionToken: string, actor: Actor): Promise<void> {
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM console_login_sessions WHERE token_hash = $1', [sha256(sessionToken)]);
      await this.appendAudit(q, actor, 'logout', actor.name);
    });
  }

  // --- per-user API keys (shown once, stored as a SHA-256: they are 256-bit random, so no KDF is needed) ---

  async createApiKey(userId: number, label: string, actor: Actor): Promise<{ id: number; key: string; prefix: string; label: string }> {
    const cleanLabel = label.trim();
    if (cleanLabel.length < 1 || cleanLabel.length > 100)
      throw new CodedError('INVALID_ARGUMENT', 'A key needs a label of 1-100 characters (what it is for).');
    const secret = randomBytes(32).toString('base64url');
    const key = `${API_KEY_PREFIX}${secret}`;
    const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
    return this.db.tx(async (q) => {
      await q.run('INSERT INTO console_api_keys (user_id, label, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
        userId,
        cleanLabel,
        prefix,
        sha256(key),
        nowIso(),
      ]);
      const row = await q.get<{ id: number }>('SELECT id FROM console_api_keys WHERE key_hash = $1', [sha256(key)]);
      await this.appendAudit(q, actor, 'api_key.create', `api_key:${row!.id}`, { label: cleanLabel, prefix });
      return { id: Number(row!.id), key, prefix, label: cleanLabel };
    });
  }

  async listApiKeys(userId: number | null): Promise<ApiKeySummary[]> {
    const rows = await this.db.all<ApiKeySummary>(
      `SELECT k.id, u.username, k.label, k.prefix, k.created_at, k.revoked_at, k.last_used_at FROM console_api_keys k JOIN console_users u ON u.id = k.user_id
        ${userId === null ? '' : 'WHERE k.user_id = $1'} ORDER BY k.id DESC`,
      userId === null ? [] : [userId],
    );
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  /** Revoke a key; a non-admin may revoke only their own. */
  async revokeApiKey(keyId: number, by: { userId: number; role: Role }, actor: Actor): Promise<void> {
    await this.db.tx(async (q) => {
      const row = await q.get<{ user_id: number; revoked_at: string | null }>(
        `SELECT user_id, revoked_at FROM console_api_keys WHERE id = $1${this.db.forUpdate}`,
        [keyId],
      );
      if (!row || (by.role !== 'admin' && Number(row.user_id) !== by.userId)) throw new CodedError('NOT_FOUND', 'No such API key.');
      if (row.revoked_at) return;
      await q.run('UPDATE console_api_keys SET revoked_at = $1 WHERE id = $2', [nowIso(), keyId]);
      await this.appendAudit(q, actor, 'api_key.revoke', `api_key:${keyId}`);
    });
  }

  /** The principal behind an integrator's x-api-key, or null (unknown, revoked, or its user disabled). */
  async resolveApiKey(key: unknown): Promise<ApiKeyPrincipal | null> {
    if (typeof key !== 'string' || !key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
    const hash = sha256(key);
    const row = await this.db.get<{ id: number; key_hash: string; user_id: number; username: string; role: Role }>(
      `SELECT k.id, k.key_hash, k.user_id, u.username, u.role FROM console_api_keys k JOIN console_users u ON u.id = k.user_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [hash],
    );
    // The lookup is by hash already; the constant-time compare keeps it honest if the query ever changes.
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) return null;
    return { type: 'api_key', keyId: Number(row.id), userId: Number(row.user_id), username: row.username, role: row.role };
  }

  /** Every use of an API key goes to the audit log (what was called when known; never bodies or the key). */
  async recordApiKeyUse(principal: ApiKeyPrincipal, call: { method?: string; path?: string; ip?: string | null } = {}): Promise<void> {
    const detail = call.method && call.path ? { method: call.method, path: call.path } : {};
    await this.db.tx(async (q) => {
      await q.run('UPDATE console_api_keys SET last_used_at = $1 WHERE id = $2', [nowIso(), principal.keyId]);
      await this.appendAudit(
        q,
        { type: 'api_key', name: principal.username, ip: call.ip ?? null },
        'api_key.use',
        `api_key:${principal.keyId}`,
        detail,
      );
    });
  }
}
