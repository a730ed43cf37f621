// The kiosk's decision store: each decision, its encrypted reference image and its outbox job in one transaction.
import type Database from 'better-sqlite3';
import { CodedError } from '../../shared/errors';
import { livenessResultSchema, type LivenessResult } from '../../shared/result';
import {
  canonicalJson,
  checkSignedHash,
  GENESIS_HASH,
  idempotencyKey,
  sha256Hex,
  type EvidenceRecord,
  type SignedRecord,
} from '../sync/evidence';
import type { OutboxJob, OutboxPort } from '../sync/queue';
import { loadOrCreateIdentity, type DeviceIdentity } from './identity';
import { decrypt, defaultKeyProvider, encrypt, type KeyProvider } from './keys';
import { openDatabase, type OpenDatabaseOptions, type RecoveryEvent } from './open';

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** Path of the SQLite file. */
  path: string;
  /** Where the data key comes from; default: a 0600 key file beside the database. */
  keyProvider?: KeyProvider;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

export interface RecordedDecision {
  seq: number;
  sessionId: string;
  hash: string;
  idempotencyKey: string;
  /** False when the same result was already recorded (the call was a no-op). */
  created: boolean;
}

export interface QueueStats {
  total: number;
  pending: number;
  done: number;
  rejected: number;
  /** created_at of the oldest pending decision, ISO, or null. */
  oldestPendingAt: string | null;
  /** The newest error of a pending or rejected job. */
  lastError: string | null;
  imagesStored: number;
}

export interface StoredDecision {
  seq: number;
  sessionId: string;
  status: string;
  createdAt: string;
  result: LivenessResult;
  hash: string;
  prevHash: string;
  signature: string;
  imageSha256: string | null;
  hasImage: boolean;
  outboxState: string;
}

const imageAad = (seq: number, sha: string) => `image:${seq}:${sha}`;

export class DecisionStore implements OutboxPort {
  readonly identity: DeviceIdentity;
  private readonly now: () => number;

  constructor(
    readonly db: Database.Database,
    private readonly keys: KeyProvider,
    readonly recovery: RecoveryEvent | null,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
    this.identity = loadOrCreateIdentity(db, keys);
  }

  /**
   * Record one decision: the signed chained record, its encrypted image and its outbox job, atomically.
   * Recording the same session twice is a no-op when the result is identical and a CONFLICT otherwise.
   */
  recordDecision(result: LivenessResult, jpegBytes?: Uint8Array | null): RecordedDecision {
    const parsed = livenessResultSchema.safeParse(result);
    if (!parsed.success) {
      throw new CodedError(
        'INVALID_PAYLOAD',
        `The decision does not match the result schema: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      );
    }
    const valid = parsed.data;
    const image = jpegBytes && jpegBytes.length > 0 ? Buffer.from(jpegBytes) : null;
    if (image && !(image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff)) {
      throw new CodedError('UNSUPPORTED_TYPE', 'The reference image must be JPEG bytes.');
    }
    const imageSha = image ? sha256Hex(image) : null;
    const key = image ? this.keys.getKey() : null;
    const write = this.db.transaction((): RecordedDecision => {
      const existing = this.db.prepare('SELECT seq, hash, record_json FROM decisions WHERE session_id = ?').get(valid.session_id) as
        { seq: number; hash: string; record_json: string } | undefined;
      if (existing) {
        const stored = JSON.parse(existing.record_json) as EvidenceRecord;
        if (canonicalJson(stored.result) === canonicalJson(valid) && stored.image_sha256 === imageSha) {
          return {
            seq: existing.seq,
            sessionId: valid.session_id,
            hash: existing.hash,
            idempotencyKey: idempotencyKey(valid.session_id, existing.seq),
            created: false,
          };
        }
        throw new CodedError('CONFLICT', `Session ${valid.session_id} is already recorded with a different result.`);
      }
      const last = this.db.prepare('SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const record: EvidenceRecord = {
        seq,
        session_id: valid.session_id,
        result: valid,
        image_sha256: imageSha,
        prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const recordJson = canonicalJson(record);
      const hash = sha256Hex(recordJson);
      const signature = this.identity.sign(hash);
      const nowIso = new Date(this.now()).toISOString();
      const ikey = idempotencyKey(valid.session_id, seq);
      this.db
        .prepare(
          `INSERT INTO decisions (seq, session_id, status, created_at, record_json, image_sha256, prev_hash, hash, signature)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(seq, valid.session_id, valid.status, nowIso, recordJson, imageSha, record.prev_hash, hash, signature);
      if (image && key && imageSha) {
        this.db
          .prepare('INSERT INTO images (seq, created_at, ciphertext) VALUES (?, ?, ?)')
          .run(seq, nowIso, encrypt(key, image, imageAad(seq, imageSha)));
      }
      this.db
        .prepare(
          "INSERT INTO outbox (seq, idempotency_key, state, attempts, next_attempt_at, created_at) VALUES (?, ?, 'pending', 0, ?, ?)",
        )
        .run(seq, ikey, this.now(), nowIso);
      return { seq, sessionId: valid.session_id, hash, idempotencyKey: ikey, created: true };
    });
    return write.immediate();
  }

  getDecision(sessionId: string): StoredDecision | null {
    const row = this.db
      .prepare(
        `SELECT d.*, o.state AS outbox_state, (SELECT COUNT(*) FROM images i WHERE i.seq = d.seq) AS has_image
                FROM decisions d LEFT JOIN outbox o ON o.seq = d.seq WHERE d.session_id = ?`,
      )
      .get(sessionId) as Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      seq: row.seq as number,
      sessionId: row.session_id as string,
      status: row.status as string,
      createdAt: row.created_at as string,
      result: JSON.parse(row.result_json as string) as LivenessResult,
      hash: row.hash as string,
      prevHash: row.prev_hash as string,
      signature: row.signature as string,
      imageSha256: (row.image_sha256 as string | null) ?? null,
      hasImage: Number(row.has_image) > 0,
      outboxState: (row.outbox_state as string) ?? 'missing',
    };
  }

  /** The decrypted reference image of a decision (null when none was stored or it was purged). */
  getImage(seq: number): Buffer | null {
    const row = this.db
      .prepare('SELECT i.ciphertext, d.image_sha256 FROM images i JOIN decisions d ON d.seq = i.seq WHERE i.seq = ?')
      .get(seq) as { ciphertext: Buffer; image_sha256: string } | undefined;
    if (!row) return null;
    return decrypt(this.keys.getKey(), row.ciphertext, imageAad(seq, row.image_sha256));
  }

  // --- outbox (the port the pure queue drives) ---

  /** Jobs to send now: the pending ones in chain order, only when the oldest pending is due. */
  dueJobs(nowMs: number, limit: number): OutboxJob[] {
    const rows = this.db
      .prepare("SELECT seq, idempotency_key, attempts, next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?")
      .all(Math.max(1, limit)) as { seq: number; idempotency_key: string; attempts: number; next_attempt_at: number }[];
    if (rows.length === 0 || rows[0].next_attempt_at > nowMs) return [];
    return rows.map((row) => ({
      seq: row.seq,
      idempotencyKey: row.idempotency_key,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
    }));
  }

  /** When the oldest pending job becomes due (epoch ms), or null when nothing is pending. */
  nextDueAt(): number | null {
    const row = this.db.prepare("SELECT next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1").get() as
      { next_attempt_at: number } | undefined;
    return row ? row.next_attempt_at : null;
  }

  markAcked(seqs: readonly number[], nowMs: number): void {
    const stmt = this.db.prepare("UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL WHERE seq = ? AND state = 'pending'");
    const iso = new Date(nowMs).toISOString();
    this.db
      .transaction(() => {
        for (const seq of seqs) stmt.run(iso, seq);
      })
      .immediate();
  }

  scheduleRetry(seqs: readonly number[], nextAttemptAtMs: number, error: string): void {
    const stmt = this.db.prepare(
      "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ? AND state = 'pending'",
    );
    this.db
      .transaction(() => {
        for (const seq of seqs) stmt.run(Math.round(nextAttemptAtMs), error.slice(0, 500), seq);
      })
      .immediate();
  }

  markRejected(seq: number, error: string): void {
    this.db
      .prepare("UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ? WHERE seq = ? AND state = 'pending'")
      .run(error.slice(0, 500), seq);
  }

  /** The signed records of these jobs, as they travel (images decrypted only in memory). */
  signedRecords(seqs: readonly number[]): SignedRecord[] {
    const stmt = this.db.prepare(
      'SELECT d.seq, d.record_json, d.hash, d.signature, o.idempotency_key FROM decisions d JOIN outbox o ON o.seq = d.seq WHERE d.seq = ?',
    );
    const out: SignedRecord[] = [];
    for (const seq of seqs) {
      const row = stmt.get(seq) as
        { seq: number; record_json: string; hash: string; signature: string; idempotency_key: string } | undefined;
      if (!row) continue;
      const image = this.getImage(seq);
      out.push({
        idempotency_key: row.idempotency_key,
        record: JSON.parse(row.record_json) as EvidenceRecord,
        hash: row.hash,
        signature: row.signature,
        image: image ? image.toString('base64') : null,
      });
    }
    return out;
  }

  stats(): QueueStats {
    const counts = this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[];
    const by = (state: string) => counts.find((row) => row.state === state)?.n ?? 0;
    const oldest = this.db
      .prepare("SELECT d.created_at FROM outbox o JOIN decisions d ON d.seq = o.seq WHERE o.state = 'pending' ORDER BY o.seq LIMIT 1")
      .get() as { created_at: string } | undefined;
    const lastError = this.db
      .prepare("SELECT last_error FROM outbox WHERE state IN ('pending', 'rejected') AND last_error IS NOT NULL ORDER BY seq DESC LIMIT 1")
      .get() as { last_error: string } | undefined;
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n;
    const imagesStored = (this.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n;
    return {
      total,
      pending: by('pending'),
      done: by('done'),
      rejected: by('rejected'),
      oldestPendingAt: oldest?.created_at ?? null,
      lastError: lastError?.last_error ?? null,
      imagesStored,
    };
  }

  /** Check the local chain (hashes, links, signatures): what the server will verify, checked on the device. */
  verifyChain(): { ok: true; count: number } | { ok: false; count: number; brokenAtSeq: number; reason: string } {
    const rows = this.db.prepare('SELECT seq, record_json, hash, prev_hash, signature FROM decisions ORDER BY seq').all() as {
      seq: number;
      record_json: string;
      hash: string;
      prev_hash: string;
      signature: string;
    }[];
    let prev = GENESIS_HASH;
    let expected = 1;
    for (const row of rows) {
      const fail = (reason: string) => ({ ok: false as const, count: rows.length, brokenAtSeq: row.seq, reason });
      if (row.seq !== expected) return fail(`record ${expected} is missing`);
      const record = JSON.parse(row.record_json) as EvidenceRecord;
      const { hashMatches, signatureValid } = checkSignedHash(record, row.hash, row.signature, this.identity.publicKeyPem);
      if (!hashMatches) return fail('the record does not match its hash');
      if (record.prev_hash !== prev || row.prev_hash !== prev) return fail('the record does not chain onto the previous one');
      if (!signatureValid) return fail('the signature does not verify');
      prev = row.hash;
      expected++;
    }
    return { ok: true, count: rows.length };
  }

  // --- settings and retention ---

  getSetting(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  /** Delete reference images older than `days`; decisions (and the image hash in their signed record) stay. */
  purgeImagesOlderThan(days: number): number {
    if (!Number.isFinite(days) || days < 0) throw new CodedError('INVALID_ARGUMENT', 'Retention days must be a number of days, 0 or more.');
    const cutoff = new Date(this.now() - days * 86_400_000).toISOString();
    return this.db.prepare('DELETE FROM images WHERE created_at < ?').run(cutoff).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Open the store at `path` (recovering from corruption; see openDatabase). `store.recovery` says what happened. */
export function openStore(options: OpenStoreOptions): DecisionStore {
  const { db, recovery } = openDatabase(options.path, options);
  try {
    return new DecisionStore(db, options.keyProvider ?? defaultKeyProvider(options.path), recovery, options.now);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** What `liveness check --db` and the kiosk host call for every decision. */
export function recordDecision(store: DecisionStore, result: LivenessResult, jpegBytes?: Uint8Array | null): RecordedDecision {
  return store.recordDecision(result, jpegBytes);
}
