// The central API's storage: enrolment, chain-verified ingest, reads, reviews, audit and the webhook outbox.
// One implementation over SqlDb, so SQLite and PostgreSQL share every statement and every rule.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { livenessResultSchema, type LivenessResult } from '../shared/result';
import {
  canonicalJson,
  checkSignedHash,
  deviceIdForPublicKey,
  GENESIS_HASH,
  idempotencyKey,
  sha256Hex,
  type EvidenceRecord,
} from '../node/sync/evidence';
import { CORE_MIGRATIONS } from './core-schema';
import { migrateServer, type MigrationSet } from './schema';
import { openPostgres, openSqlite, type SqlDb, type SqlRunner } from './sql';
import type { ImageVault } from './image-vault';

export const MAX_BATCH_RECORDS = 100;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
export const batchSchema = z.object({
  records: z
    .array(
      z.object({
        idempotency_key: z.string().min(1).max(400),
        record: z.object({
          seq: z.number().int().min(1),
          session_id: z.string().min(1).max(200),
          result: z.unknown(),
          image_sha256: hex64.nullable(),
          prev_hash: hex64,
        }),
        hash: hex64,
        signature: z.string().min(1).max(200),
        image: z
          .string()
          .max(Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4)
          .nullable(),
      }),
    )
    .min(1)
    .max(MAX_BATCH_RECORDS),
});
export type BatchBody = z.infer<typeof batchSchema>;

export type RecordOutcome =
  | { seq: number; session_id: string; status: 'accepted' | 'duplicate' }
  | { seq: number; session_id: string; status: 'rejected' | 'deferred'; code: string; message: string; expected_seq?: number };

export interface DeviceRow {
  id: string;
  public_key_pem: string;
  last_seq: number;
  last_hash: string;
}

export interface DecisionRow {
  id: number;
  device_id: string;
  seq: number;
  session_id: string;
  status: string;
  decided_status: string;
  created_at: string;
  received_at: string;
  record_json: string;
  hash: string;
  prev_hash: string;
  signature: string;
  image_sha256: string | null;
  has_image: number;
  /** The session the record belongs to: its own session_id (walk-in) or the central session it was an attempt of. */
  session_ref: string;
}

/** A session: made centrally (origin api: Not Started until a kiosk takes it) or by a kiosk walk-in (origin kiosk). */
export interface SessionRow {
  id: number;
  session_id: string;
  origin: 'api' | 'kiosk';
  status: string;
  workflow_id: string | null;
  workflow_version: number | null;
  settings_json: string | null;
  vendor_data: string | null;
  callback: string | null;
  metadata_json: string | null;
  device_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReviewRow {
  session_id: string;
  decision: string | null;
  previous_status: string;
  new_status: string;
  reviewer: string;
  note: string | null;
  reviewed_at: string;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookDelivery {
  id: number;
  url: string;
  /** A destination made through /v3/webhook/destinations/ (its secret is in the database); null for --webhook targets. */
  destination_id: string | null;
  event: string;
  payload: string;
  attempts: number;
}

export interface ListFilters {
  kiosk?: string;
  status?: string;
  vendor_data?: string;
  workflow_id?: string;
  /** Matched against session_id and vendor_data. */
  search?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export type EnrolResult =
  | { ok: true; deviceId: string; created: boolean }
  | { ok: false; code: 'ENROL_TOKEN_INVALID' | 'ENROL_TOKEN_USED' | 'INVALID_PAYLOAD'; message: string };

const sessionConflictMessage = (sessionId: string) =>
  `Session ${sessionId} is bound to another kiosk or already decided; this record is kept for audit and the kiosk's later records go on.`;

const hashToken = (token: string) => createHash('sha256').update(`enrol:${token}`).digest('hex');
const nowIso = () => new Date().toISOString();

/** Which records of a batch break the evidence rules before the chain is even looked at. */
function checkRecord(entry: BatchBody['records'][number], device: DeviceRow): { code: string; message: string; image?: Buffer } {
  const record = entry.record as EvidenceRecord;
  const parsed = livenessResultSchema.safeParse(record.result);
  if (!parsed.success)
    return { code: 'INVALID_RECORD', message: `The result does not match the schema: ${parsed.error.issues[0]?.message ?? 'invalid'}.` };
  if (parsed.data.session_id !== record.session_id)
    return { code: 'INVALID_RECORD', message: 'The result belongs to another session than the record.' };
  if (entry.idempotency_key !== idempotencyKey(record.session_id, record.seq)) {
    return { code: 'INVALID_RECORD', message: 'The idempotency key is not session_id:seq.' };
  }
  const { hashMatches, signatureValid } = checkSignedHash(record, entry.hash, entry.signature, device.public_key_pem);
  if (!hashMatches)
    return { code: 'RECORD_HASH_MISMATCH', message: 'The record does not hash to its stated hash: it was edited after it was signed.' };
  if (!signatureValid) return { code: 'BAD_SIGNATURE', message: "The record's signature does not verify with this device's key." };
  if (entry.image !== null) {
    const image = Buffer.from(entry.image, 'base64');
    if (image.length === 0 || image.length > MAX_IMAGE_BYTES)
      return { code: 'INVALID_RECORD', message: 'The reference image is empty or larger than 5 MB.' };
    if (record.image_sha256 === null || sha256Hex(image) !== record.image_sha256) {
      return { code: 'IMAGE_HASH_MISMATCH', message: 'The reference image does not match the hash in the signed record.' };
    }
    return { code: '', message: '', image };
  }
  return { code: '', message: '' };
}

export class Storage {
  /** Seals and opens reference images (set by createServer before any request is served). */
  imageVault: ImageVault | null = null;

  vault(): ImageVault {
    if (!this.imageVault) throw new Error('no image vault: images are never stored in the clear');
    return this.imageVault;
  }

  constructor(
    readonly db: SqlDb,
    private readonly webhooks: readonly WebhookTarget[] = [],
  ) {}

  /** Open the database and apply the migrations of every plugin (the core's first). */
  static async open(
    target: { sqlitePath?: string; databaseUrl?: string; pgSchema?: string },
    migrations: readonly MigrationSet[] = [{ plugin: 'core', migrations: CORE_MIGRATIONS }],
    webhooks: readonly WebhookTarget[] = [],
  ): Promise<Storage> {
    const db = target.databaseUrl
      ? openPostgres({ connectionString: target.databaseUrl, schema: target.pgSchema })
      : openSqlite(target.sqlitePath ?? 'liveness-server.sqlite');
    try {
      if (db.dialect === 'postgres' && target.pgSchema) await db.run(`CREATE SCHEMA IF NOT EXISTS ${target.pgSchema}`);
      await migrateServer(db, migrations);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new Storage(db, webhooks);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Register the configured one-time tokens (only their hashes are stored). */
  async addEnrolTokens(tokens: readonly string[]): Promise<void> {
    for (const token of tokens) {
      await this.db.run('INSERT INTO enrol_tokens (token_hash) VALUES ($1) ON CONFLICT (token_hash) DO NOTHING', [hashToken(token)]);
    }
  }

  /** Enrol a public key with a one-time token; re-enrolling an enrolled key answers the same and consumes no token. */
  async enrol(token: string, publicKeyPem: string): Promise<EnrolResult> {
    let deviceId: string;
    try {
      deviceId = deviceIdForPublicKey(publicKeyPem);
    } catch {
      return { ok: false, code: 'INVALID_PAYLOAD', message: 'public_key must be an Ed25519 public key in SPKI PEM.' };
    }
    return this.db.tx(async (q) => {
      // Idempotent per device: an enrolled key is answered as before and no token is looked at, so none is burnt.
      if (await q.get('SELECT 1 AS x FROM devices WHERE id = $1', [deviceId])) return { ok: true, deviceId, created: false } as const;
      const row = await q.get<{ used_by: string | null }>(`SELECT used_by FROM enrol_tokens WHERE token_hash = $1${this.db.forUpdate}`, [
        hashToken(token),
      ]);
      if (!row) return { ok: false, code: 'ENROL_TOKEN_INVALID', message: 'This enrolment token is not known to the server.' } as const;
      if (row.used_by === deviceId) return { ok: true, deviceId, created: false } as const;
      if (row.used_by !== null)
        return { ok: false, code: 'ENROL_TOKEN_USED', message: 'This enrolment token was already used by another device.' } as const;
      await q.run(
        'INSERT INTO devices (id, public_key_pem, enrolled_at, last_seq, last_hash) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (id) DO NOTHING',
        [deviceId, publicKeyPem.trim() + '\n', nowIso(), GENESIS_HASH],
      );
      const claimed = await q.run('UPDATE enrol_tokens SET used_by = $1, used_at = $2 WHERE token_hash = $3 AND used_by IS NULL', [
        deviceId,
        nowIso(),
        hashToken(token),
      ]);
      if (claimed !== 1)
        return { ok: false, code: 'ENROL_TOKEN_USED', message: 'This enrolment token was already used by another device.' } as const;
      return { ok: true, deviceId, created: true } as const;
    });
  }

  getDevice(id: string): Promise<DeviceRow | undefined> {
    return this.db.get<DeviceRow>('SELECT id, public_key_pem, last_seq, last_hash FROM devices WHERE id = $1', [id]);
  }

  private async audit(
    q: SqlRunner,
    event: { deviceId: string | null; seq: number | null; sessionId: string | null; code: string; detail: string },
  ): Promise<void> {
    // One flag per device, code and seq: a kiosk that retries does not flood the audit log.
    const seen = await q.get('SELECT 1 AS x FROM audit_events WHERE device_id = $1 AND code = $2 AND seq = $3', [
      event.deviceId,
      event.code,
      event.seq,
    ]);
    if (seen) return;
    await q.run('INSERT INTO audit_events (device_id, seq, session_id, code, detail, at) VALUES ($1, $2, $3, $4, $5, $6)', [
      event.deviceId,
      event.seq,
      event.sessionId,
      event.code,
      event.detail,
      nowIso(),
    ]);
  }

  /** Queue a signed status.updated event for every --webhook target and every enabled destination subscribed to it. */
  private async enqueueWebhooks(q: SqlRunner, sessionId: string, status: string, extra: Record<string, unknown>): Promise<void> {
    const destinations = (
      await q.all<{ uuid: string; url: string; subscribed_events_json: string }>(
        'SELECT uuid, url, subscribed_events_json FROM webhook_destinations WHERE enabled = 1 ORDER BY created_at',
      )
    ).filter((d) => {
      const events = JSON.parse(d.subscribed_events_json) as string[];
      return events.length === 0 || events.includes('status.updated');
    });
    const targets = [
      ...this.webhooks.map((t) => ({ url: t.url, destinationId: null as string | null })),
      ...destinations.map((d) => ({ url: d.url, destinationId: d.uuid })),
    ];
    if (targets.length === 0) return;
    const session = await q.get<{ vendor_data: string | null; workflow_id: string | null; metadata_json: string | null }>(
      'SELECT vendor_data, workflow_id, metadata_json FROM sessions WHERE session_id = $1',
      [sessionId],
    );
    const timestamp = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({
      event: 'session.status.updated',
      webhook_type: 'status.updated',
      session_id: sessionId,
      status,
      timestamp,
      created_at: timestamp,
      vendor_data: session?.vendor_data ?? null,
      workflow_id: session?.workflow_id ?? null,
      metadata: session?.metadata_json ? JSON.parse(session.metadata_json) : null,
      ...extra,
    });
    for (const target of targets) {
      await q.run(
        "INSERT INTO webhook_deliveries (url, destination_id, event, session_id, payload, state, attempts, next_attempt_at, created_at) VALUES ($1, $2, 'session.status.updated', $3, $4, 'pending', 0, $5, $6)",
        [target.url, target.destinationId, sessionId, payload, Date.now(), nowIso()],
      );
    }
  }

  /** The one way a session's status changes: the session, its latest decision, and a webhook to every subscriber. */
  async setSessionStatus(q: SqlRunner, sessionId: string, status: string, extra: Record<string, unknown> = {}): Promise<void> {
    await q.run('UPDATE sessions SET status = $1, updated_at = $2 WHERE session_id = $3', [status, nowIso(), sessionId]);
    await q.run('UPDATE decisions SET status = $1 WHERE id = (SELECT MAX(id) FROM decisions WHERE session_ref = $2)', [status, sessionId]);
    await this.enqueueWebhooks(q, sessionId, status, extra);
  }

  /** Record a reviewer's action or note on a session's trail. */
  async addReviewEntry(
    q: SqlRunner,
    entry: { sessionId: string; decision: string | null; previousStatus: string; newStatus: string; reviewer: string; note: string | null },
  ): Promise<void> {
    await q.run(
      'INSERT INTO reviews (session_id, decision, previous_status, new_status, reviewer, note, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [entry.sessionId, entry.decision, entry.previousStatus, entry.newStatus, entry.reviewer, entry.note, nowIso()],
    );
  }

  /**
   * Store a batch of signed records of one device, in chain order, under the device's row lock. Records already
   * stored answer `duplicate`; a record that fails its hash or signature, or breaks the chain, is rejected and
   * flagged for audit; a record whose predecessor is missing is deferred. Records after the first refusal are not
   * looked at (they chain onto it).
   */
  async ingest(deviceId: string, batch: BatchBody): Promise<RecordOutcome[]> {
    const entries = [...batch.records].sort((a, b) => a.record.seq - b.record.seq);
    return this.db.tx(async (q) => {
      const device = await q.get<DeviceRow>(
        `SELECT id, public_key_pem, last_seq, last_hash FROM devices WHERE id = $1${this.db.forUpdate}`,
        [deviceId],
      );
      if (!device) throw new Error('device vanished');
      let lastSeq = Number(device.last_seq);
      let lastHash = device.last_hash;
      const outcomes: RecordOutcome[] = [];
      for (const entry of entries) {
        const { seq, session_id: sessionId } = entry.record;
        const refuse = async (status: 'rejected' | 'deferred', code: string, message: string, extra: { expected_seq?: number } = {}) => {
          outcomes.push({ seq, session_id: sessionId, status, code, message, ...extra });
          await this.audit(q, { deviceId, seq, sessionId, code, detail: message });
        };
        const check = checkRecord(entry, device);
        if (check.code) {
          await refuse('rejected', check.code, check.message);
          break;
        }
        // A record erased at an integrator's request still answers duplicate when its kiosk sends it again.
        const existing =
          (await q.get<{ hash: string }>('SELECT hash FROM decisions WHERE device_id = $1 AND seq = $2', [deviceId, seq])) ??
          (await q.get<{ hash: string }>('SELECT hash FROM erased_records WHERE device_id = $1 AND seq = $2', [deviceId, seq]));
        const keptAside = existing
          ? undefined
          : await q.get<{ hash: string }>('SELECT hash FROM session_conflicts WHERE device_id = $1 AND seq = $2', [deviceId, seq]);
        if (keptAside?.hash === entry.hash) {
          // Sent again: the same answer, and the records after it are still looked at.
          await refuse('rejected', 'SESSION_CONFLICT', sessionConflictMessage(sessionId));
          continue;
        }
        if (existing ?? keptAside) {
          if (existing?.hash === entry.hash) {
            outcomes.push({ seq, session_id: sessionId, status: 'duplicate' });
            continue;
          }
          await refuse(
            'rejected',
            'CHAIN_CONFLICT',
            `Record ${seq} differs from the record ${seq} already accepted from this device: it was edited or replaced.`,
          );
          break;
        }
        if (seq > lastSeq + 1) {
          await refuse(
            'deferred',
            'CHAIN_GAP',
            `Record ${seq} arrived but record ${lastSeq + 1} is missing: it was deleted, or is still on its way.`,
            { expected_seq: lastSeq + 1 },
          );
          break;
        }
        if (seq <= lastSeq || entry.record.prev_hash !== lastHash) {
          await refuse(
            'rejected',
            'CHAIN_BROKEN',
            `Record ${seq} does not chain onto record ${lastSeq}: a record before it was edited or replaced.`,
          );
          break;
        }
        const clash = await q.get('SELECT 1 AS x FROM decisions WHERE session_id = $1', [sessionId]);
        const sessionRef = clash ? null : await this.sessionForRecord(q, sessionId, deviceId);
        if (clash || sessionRef === null) {
          // The session is bound to another device (or already decided): this record is kept aside, flagged, and the
          // chain moves past it, so the device's later records are not deferred forever behind it.
          await q.run(
            'INSERT INTO session_conflicts (device_id, seq, session_id, hash, record_json, signature, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [deviceId, seq, sessionId, entry.hash, canonicalJson(entry.record), entry.signature, nowIso()],
          );
          await refuse('rejected', 'SESSION_CONFLICT', sessionConflictMessage(sessionId));
          lastSeq = seq;
          lastHash = entry.hash;
          continue;
        }
        const result = entry.record.result as LivenessResult;
        await q.run(
          `INSERT INTO decisions (device_id, seq, session_id, idempotency_key, status, decided_status, liveness_mode, liveness_score,
             created_at, received_at, record_json, hash, prev_hash, signature, image_sha256, session_ref)
           VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [
            deviceId,
            seq,
            sessionId,
            entry.idempotency_key,
            result.status,
            result.liveness_mode,
            result.liveness_score,
            result.created_at,
            nowIso(),
            canonicalJson(entry.record),
            entry.hash,
            entry.record.prev_hash,
            entry.signature,
            entry.record.image_sha256,
            sessionRef,
          ],
        );
        if (check.image) await this.vault().put(q, sessionId, check.image);
        if (sessionRef === sessionId && !(await q.get('SELECT 1 AS x FROM sessions WHERE session_id = $1', [sessionId]))) {
          await q.run(
            "INSERT INTO sessions (session_id, origin, status, vendor_data, device_id, created_at, updated_at) VALUES ($1, 'kiosk', $2, $3, $3, $4, $5)",
            [sessionId, result.status, deviceId, result.created_at, nowIso()],
          );
        } else {
          await q.run('UPDATE sessions SET device_id = $1 WHERE session_id = $2', [deviceId, sessionRef]);
        }
        await this.setSessionStatus(q, sessionRef, result.status, { kiosk: deviceId });
        lastSeq = seq;
        lastHash = entry.hash;
        outcomes.push({ seq, session_id: sessionId, status: 'accepted' });
      }
      if (lastSeq !== Number(device.last_seq)) {
        await q.run('UPDATE devices SET last_seq = $1, last_hash = $2 WHERE id = $3', [lastSeq, lastHash, deviceId]);
      }
      return outcomes;
    });
  }

  /**
   * Which session a record lands on: the central session whose attempt it is (the session goes from In Progress to
   * the decided status), or a new walk-in session of its own. Null when its session was already decided by another
   * record (a second kiosk taking the same token).
   */
  private async sessionForRecord(q: SqlRunner, recordSessionId: string, deviceId: string): Promise<string | null> {
    const attempt = await q.get<{ session_id: string; claimed_by: string | null }>(
      'SELECT session_id, claimed_by FROM session_attempts WHERE attempt_id = $1',
      [recordSessionId],
    );
    const central =
      attempt?.session_id ??
      (await q.get<{ session_id: string }>("SELECT session_id FROM sessions WHERE session_id = $1 AND origin = 'api'", [recordSessionId]))
        ?.session_id;
    if (!central) return recordSessionId;
    if (!attempt) {
      // The central session's own id: bound to the kiosk that claimed its current attempt, if one did.
      const current = await q.get<{ claimed_by: string | null }>(
        'SELECT claimed_by FROM session_attempts WHERE session_id = $1 ORDER BY attempt DESC LIMIT 1',
        [central],
      );
      return current?.claimed_by && current.claimed_by !== deviceId ? null : central;
    }
    if (attempt.claimed_by === null) {
      // Taken offline from its QR: the first record is the claim.
      await q.run('UPDATE session_attempts SET claimed_by = $1, claimed_at = $2 WHERE attempt_id = $3 AND claimed_by IS NULL', [
        deviceId,
        nowIso(),
        recordSessionId,
      ]);
    } else if (attempt.claimed_by !== deviceId) {
      return null;
    }
    return central;
  }

  private decisionColumns = `d.id, d.device_id, d.seq, d.session_id, d.session_ref, d.status, d.decided_status, d.created_at, d.received_at, d.record_json,
    d.hash, d.prev_hash, d.signature, d.image_sha256, (SELECT COUNT(*) FROM images i WHERE i.session_id = d.session_id) AS has_image`;

  /** The latest decision of a session (a resubmitted session has one per attempt). */
  getDecision(sessionId: string): Promise<DecisionRow | undefined> {
    return this.db.get<DecisionRow>(`SELECT ${this.decisionColumns} FROM decisions d WHERE d.session_ref = $1 ORDER BY d.id DESC LIMIT 1`, [
      sessionId,
    ]);
  }

  /** Every decision of a session, oldest first. */
  decisionsOf(sessionId: string): Promise<DecisionRow[]> {
    return this.db.all<DecisionRow>(`SELECT ${this.decisionColumns} FROM decisions d WHERE d.session_ref = $1 ORDER BY d.id`, [sessionId]);
  }

  /** The record a device sent just before this one, if the server still holds it. */
  async previousRecordOf(deviceId: string, seq: number): Promise<{ hash: string } | undefined> {
    return (
      (await this.db.get<{ hash: string }>('SELECT hash FROM decisions WHERE device_id = $1 AND seq = $2', [deviceId, seq - 1])) ??
      (await this.db.get<{ hash: string }>('SELECT hash FROM erased_records WHERE device_id = $1 AND seq = $2', [deviceId, seq - 1])) ??
      this.db.get<{ hash: string }>('SELECT hash FROM session_conflicts WHERE device_id = $1 AND seq = $2', [deviceId, seq - 1])
    );
  }

  getSession(sessionId: string): Promise<SessionRow | undefined> {
    return this.db.get<SessionRow>('SELECT * FROM sessions WHERE session_id = $1', [sessionId]);
  }

  reviewsOf(sessionId: string): Promise<ReviewRow[]> {
    return this.db.all<ReviewRow>(
      'SELECT session_id, decision, previous_status, new_status, reviewer, note, reviewed_at FROM reviews WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
  }

  /** The reference image of a session's latest decision that has one. */
  async getImage(sessionId: string): Promise<Buffer | null> {
    const row = await this.db.get<{ session_id: string }>(
      'SELECT i.session_id FROM images i JOIN decisions d ON d.session_id = i.session_id WHERE d.session_ref = $1 ORDER BY d.id DESC LIMIT 1',
      [sessionId],
    );
    return row ? this.decisionImage(row.session_id) : null;
  }

  /** The reference image of one decision (by the decision's own session id), decrypted; null when none is held. */
  decisionImage(decisionSessionId: string): Promise<Buffer | null> {
    return this.vault().get(decisionSessionId);
  }

  /**
   * Decision records, newest first (the console's list; the v3 API lists sessions with listSessions, which also shows
   * sessions no kiosk has taken yet).
   */
  async listDecisions(filters: ListFilters): Promise<{ count: number; rows: DecisionRow[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filters.kiosk) add('d.device_id = ?', filters.kiosk);
    if (filters.status) add('d.status = ?', filters.status);
    if (filters.from) add('d.created_at >= ?', filters.from);
    if (filters.to) add('d.created_at <= ?', filters.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.get<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM decisions d ${clause}`, params);
    const rows = await this.db.all<DecisionRow>(
      `SELECT ${this.decisionColumns} FROM decisions d ${clause} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    return { count: Number(total?.n ?? 0), rows };
  }

  /** Sessions, newest first, with their latest decision (if any). */
  async listSessions(
    filters: ListFilters,
  ): Promise<{ count: number; rows: Array<{ session: SessionRow; decision: DecisionRow | undefined }> }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      let text = clause;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (filters.kiosk) add('s.device_id = ?', filters.kiosk);
    if (filters.status) add('s.status = ?', filters.status);
    if (filters.vendor_data) add('s.vendor_data = ?', filters.vendor_data);
    if (filters.workflow_id) add('s.workflow_id = ?', filters.workflow_id);
    if (filters.search)
      add(
        "(s.session_id LIKE ? ESCAPE '\\' OR s.vendor_data LIKE ? ESCAPE '\\')",
        ...Array(2).fill(`%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
      );
    if (filters.from) add('s.created_at >= ?', filters.from);
    if (filters.to) add('s.created_at <= ?', filters.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.get<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM sessions s ${clause}`, params);
    const sessions = await this.db.all<SessionRow>(
      `SELECT s.* FROM sessions s ${clause} ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    const rows = [];
    for (const session of sessions) rows.push({ session, decision: await this.getDecision(session.session_id) });
    return { count: Number(total?.n ?? 0), rows };
  }

  /** Settle an In Review decision; who and when are recorded, and subscribers are told. */
  async review(
    sessionId: string,
    decision: 'Approve' | 'Decline',
    reviewer: string,
    note: string | null,
  ): Promise<{ ok: true; status: string } | { ok: false; code: 'NOT_FOUND' | 'NOT_IN_REVIEW'; status?: string }> {
    return this.db.tx(async (q) => {
      const row = await q.get<{ status: string; device_id: string | null }>(
        `SELECT status, device_id FROM sessions WHERE session_id = $1${this.db.forUpdate}`,
        [sessionId],
      );
      if (!row) return { ok: false, code: 'NOT_FOUND' } as const;
      if (row.status !== 'In Review') return { ok: false, code: 'NOT_IN_REVIEW', status: row.status } as const;
      const status = decision === 'Approve' ? 'Approved' : 'Declined';
      await this.addReviewEntry(q, { sessionId, decision, previousStatus: row.status, newStatus: status, reviewer, note });
      await this.setSessionStatus(q, sessionId, status, { kiosk: row.device_id, reviewer });
      return { ok: true, status } as const;
    });
  }

  listAudit(
    limit: number,
  ): Promise<Array<{ device_id: string | null; seq: number | null; session_id: string | null; code: string; detail: string; at: string }>> {
    return this.db.all('SELECT device_id, seq, session_id, code, detail, at FROM audit_events ORDER BY id DESC LIMIT $1', [limit]);
  }

  // --- webhook outbox ---

  /** Lease due deliveries to this instance (another instance skips them until the lease ends). */
  async claimWebhooks(nowMs: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    return this.db.tx(async (q) => {
      const due = await q.all<{ id: number }>(
        `SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 AND locked_until <= $1 ORDER BY id LIMIT $2${this.db.forUpdate}`,
        [nowMs, limit],
      );
      const claimed: WebhookDelivery[] = [];
      for (const { id } of due) {
        const changed = await q.run('UPDATE webhook_deliveries SET locked_until = $1 WHERE id = $2 AND locked_until <= $3', [
          nowMs + leaseMs,
          id,
          nowMs,
        ]);
        if (changed === 0) continue;
        const row = await q.get<WebhookDelivery>(
          'SELECT id, url, destination_id, event, payload, attempts FROM webhook_deliveries WHERE id = $1',
          [id],
        );
        if (row) claimed.push({ ...row, id: Number(row.id), attempts: Number(row.attempts) });
      }
      return claimed;
    });
  }

  async finishWebhook(
    id: number,
    outcome: { delivered: boolean; status: number | null; error: string | null; nextAttemptAt: number | null },
  ): Promise<void> {
    const state = outcome.delivered ? 'delivered' : outcome.nextAttemptAt === null ? 'failed' : 'pending';
    await this.db.run(
      `UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, last_status = $2, last_error = $3, next_attempt_at = $4, locked_until = 0,
         delivered_at = $5 WHERE id = $6`,
      [state, outcome.status, outcome.error, outcome.nextAttemptAt ?? 0, outcome.delivered ? nowIso() : null, id],
    );
  }

  listWebhookDeliveries(
    sessionId?: string,
  ): Promise<
    Array<{ id: number; url: string; session_id: string; state: string; attempts: number; last_status: number | null; payload: string }>
  > {
    return sessionId
      ? this.db.all(
          'SELECT id, url, session_id, state, attempts, last_status, payload FROM webhook_deliveries WHERE session_id = $1 ORDER BY id',
          [sessionId],
        )
      : this.db.all('SELECT id, url, session_id, state, attempts, last_status, payload FROM webhook_deliveries ORDER BY id');
  }

  async counts(): Promise<{ decisions: number; devices: number }> {
    const d = await this.db.get<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM decisions');
    const v = await this.db.get<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM devices');
    return { decisions: Number(d?.n ?? 0), devices: Number(v?.n ?? 0) };
  }
}
