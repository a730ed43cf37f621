// Sessions a teller's system creates and a kiosk takes by short code or QR token; their status changes, reviews and
// erasure. Every status change goes through Storage.setSessionStatus, so every one fires a webhook.
import { randomUUID } from 'node:crypto';
import { STATUSES } from '../shared/catalogue';
import type { WorkflowSettings } from '../shared/workflow';
import { HttpError } from './http/errors';
import { newShortCode, normalizeShortCode, SHORT_CODE_TTL_MS } from './short-code';
import { signSessionToken, type SigningKey } from './signing';
import { createTable, type ServerMigration } from './schema';
import type { SqlRunner } from './sql';
import type { SessionRow, Storage } from './storage';
import type { WorkflowRow } from './workflows';

/** Didit's session statuses: the kiosk's, plus the ones only a reviewer or the clock sets. */
export const SESSION_STATUSES = [...STATUSES, 'Resubmitted', 'Expired', 'Awaiting User'] as const;
/** Statuses a kiosk's decision produced: a reviewer may send these back for a new attempt. */
const DECIDED = new Set(['Approved', 'Declined', 'In Review']);

/** The branch flow's own tables: the reference photo a session carries to the kiosk, and what each kiosk reports at sync. */
export const BRANCH_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: 'session portraits, kiosk status reports',
    statements: (t) => [
      createTable('session_portraits', [
        'session_id TEXT PRIMARY KEY',
        'mime TEXT NOT NULL',
        `bytes ${t.blob} NOT NULL`,
        'created_at TEXT NOT NULL',
      ]),
      createTable('kiosk_reports', [
        'device_id TEXT PRIMARY KEY',
        'reported_at TEXT NOT NULL',
        'pending INTEGER NOT NULL',
        'app_version TEXT',
        'workflow_id TEXT',
        'workflow_version INTEGER',
      ]),
    ],
  },
];

/** Reference photos are sealed like decision images, bound to their own label so one cannot be swapped for the other. */
const portraitAad = (sessionId: string): string => `portrait:${sessionId}`;

/** Erase the reference photos of sessions created before the retention (the consent screen's promise); sessions stay. */
export async function purgeExpiredPortraits(deps: Pick<BranchDeps, 'storage'>, cutoffIso: string): Promise<number> {
  return deps.storage.db.run('DELETE FROM session_portraits WHERE created_at < $1', [cutoffIso]);
}

/** Didit's limit on a session's `portrait_image` (base64-decoded). */
export const MAX_PORTRAIT_BYTES = 2 * 1024 * 1024;

/** The reference photo sent with a session (Didit's `portrait_image`, base64): JPEG or PNG bytes, at most 2 MB. */
export function decodePortrait(base64: string): { mime: 'image/jpeg' | 'image/png'; bytes: Buffer } {
  const bytes = Buffer.from(base64.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64');
  if (bytes.length === 0) throw new HttpError(400, 'INVALID_PORTRAIT', 'portrait_image is empty or not base64.');
  if (bytes.length > MAX_PORTRAIT_BYTES)
    throw new HttpError(400, 'PORTRAIT_TOO_LARGE', `portrait_image is ${bytes.length} bytes; at most ${MAX_PORTRAIT_BYTES} are accepted.`);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { mime: 'image/jpeg', bytes };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { mime: 'image/png', bytes };
  throw new HttpError(400, 'UNSUPPORTED_PORTRAIT_TYPE', 'portrait_image must be a JPEG or PNG image, base64-encoded.');
}

/** What a kiosk reports with each sync: its outbox backlog, its app version and the workflow it applied. */
export interface KioskReport {
  pending: number;
  app_version: string | null;
  workflow_id: string | null;
  workflow_version: number | null;
}

export async function recordKioskReport(deps: BranchDeps, deviceId: string, report: KioskReport): Promise<void> {
  await deps.storage.db.run(
    `INSERT INTO kiosk_reports (device_id, reported_at, pending, app_version, workflow_id, workflow_version) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (device_id) DO UPDATE SET reported_at = excluded.reported_at, pending = excluded.pending, app_version = excluded.app_version,
       workflow_id = excluded.workflow_id, workflow_version = excluded.workflow_version`,
    [deviceId, nowIso(deps), report.pending, report.app_version, report.workflow_id, report.workflow_version],
  );
}

export interface AttemptRow {
  attempt_id: string;
  session_id: string;
  attempt: number;
  short_code: string;
  expires_at: number;
  /** The signed session token (QR payload) of this attempt. */
  token: string;
  claimed_by: string | null;
}

export interface IssuedAttempt {
  attempt_id: string;
  attempt: number;
  short_code: string;
  expires_at: string;
  /** The QR payload: a server-signed session token (see signing.ts). */
  token: string;
}

export interface BranchDeps {
  storage: Storage;
  signingKey: SigningKey;
  now: () => number;
}

const nowIso = (deps: BranchDeps) => new Date(deps.now()).toISOString();

/** A new attempt of a session: a fresh short code (retried on the rare clash) and its signed token. */
async function issueAttempt(
  deps: BranchDeps,
  q: SqlRunner,
  session: { session_id: string; workflow_id: string; workflow_version: number; settings: WorkflowSettings },
  attempt: number,
): Promise<IssuedAttempt> {
  const attemptId = attempt === 1 ? session.session_id : `${session.session_id}~${attempt}`;
  const expiresAt = deps.now() + SHORT_CODE_TTL_MS;
  let shortCode = '';
  for (let tries = 0; ; tries++) {
    shortCode = newShortCode();
    const clash = await q.get('SELECT 1 AS x FROM session_attempts WHERE short_code = $1', [shortCode]);
    if (!clash) break;
    if (tries > 10) throw new HttpError(503, 'SHORT_CODE_EXHAUSTED', 'No free short code could be drawn; try again.');
  }
  const token = signSessionToken(deps.signingKey, {
    typ: 'session',
    session_id: session.session_id,
    attempt_id: attemptId,
    attempt,
    short_code: shortCode,
    workflow_id: session.workflow_id,
    workflow_version: session.workflow_version,
    settings: session.settings,
    issued_at: nowIso(deps),
    expires_at: new Date(expiresAt).toISOString(),
    key_id: deps.signingKey.keyId,
  });
  await q.run(
    'INSERT INTO session_attempts (attempt_id, session_id, attempt, short_code, expires_at, token, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [attemptId, session.session_id, attempt, shortCode, expiresAt, token, nowIso(deps)],
  );
  return { attempt_id: attemptId, attempt, short_code: shortCode, expires_at: new Date(expiresAt).toISOString(), token };
}

export async function createSession(
  deps: BranchDeps,
  workflow: WorkflowRow,
  body: { vendor_data?: string; callback?: string; metadata?: Record<string, unknown>; portrait_image?: string },
): Promise<{ session: SessionRow; attempt: IssuedAttempt }> {
  const sessionId = randomUUID();
  const settings = JSON.parse(workflow.settings_json) as WorkflowSettings;
  const portrait = body.portrait_image === undefined ? null : decodePortrait(body.portrait_image);
  if (settings.face_match?.enabled && !portrait) {
    throw new HttpError(
      400,
      'PORTRAIT_REQUIRED',
      'This workflow runs a face match: send portrait_image (the reference photo, base64 JPEG or PNG, at most 2 MB).',
    );
  }
  const attempt = await deps.storage.db.tx(async (q) => {
    await q.run(
      `INSERT INTO sessions (session_id, origin, status, workflow_id, workflow_version, settings_json, vendor_data, callback, metadata_json, created_at, updated_at)
       VALUES ($1, 'api', 'Not Started', $2, $3, $4, $5, $6, $7, $8, $8)`,
      [
        sessionId,
        workflow.uuid,
        Number(workflow.version),
        workflow.settings_json,
        body.vendor_data ?? null,
        body.callback ?? null,
        body.metadata ? JSON.stringify(body.metadata) : null,
        nowIso(deps),
      ],
    );
    if (portrait) {
      const sealed = deps.storage.vault().seal(portraitAad(sessionId), portrait.bytes);
      await q.run('INSERT INTO session_portraits (session_id, mime, bytes, created_at) VALUES ($1, $2, $3, $4)', [
        sessionId,
        portrait.mime,
        sealed,
        nowIso(deps),
      ]);
    }
    return issueAttempt(
      deps,
      q,
      { session_id: sessionId, workflow_id: workflow.uuid, workflow_version: Number(workflow.version), settings },
      1,
    );
  });
  return { session: (await deps.storage.getSession(sessionId))!, attempt };
}

/** The attempt a kiosk can take now: the latest one of the session. */
export function currentAttempt(storage: Storage, sessionId: string): Promise<AttemptRow | undefined> {
  return storage.db.get<AttemptRow>(
    'SELECT attempt_id, session_id, attempt, short_code, expires_at, token, claimed_by FROM session_attempts WHERE session_id = $1 ORDER BY attempt DESC LIMIT 1',
    [sessionId],
  );
}

/** A kiosk takes a session by the code the person typed: the session goes In Progress and the kiosk gets its settings. */
export async function claimByCode(deps: BranchDeps, typed: string, deviceId: string) {
  const code = normalizeShortCode(typed);
  if (!code) throw new HttpError(400, 'INVALID_CODE', 'This is not a session code: it has 8 letters and digits, e.g. K7QM-3XPA.');
  return deps.storage.db.tx(async (q) => {
    const attempt = await q.get<AttemptRow>(
      `SELECT attempt_id, session_id, attempt, short_code, expires_at, token, claimed_by FROM session_attempts WHERE short_code = $1${deps.storage.db.forUpdate}`,
      [code],
    );
    if (!attempt) throw new HttpError(404, 'CODE_NOT_FOUND', 'No session has this code; check it with the teller.');
    const latest = await q.get<{ attempt: number }>('SELECT MAX(attempt) AS attempt FROM session_attempts WHERE session_id = $1', [
      attempt.session_id,
    ]);
    if (Number(latest?.attempt) !== Number(attempt.attempt))
      throw new HttpError(410, 'CODE_SUPERSEDED', 'This code was replaced by a newer one; ask the teller for the new code.');
    if (Number(attempt.expires_at) < deps.now())
      throw new HttpError(410, 'CODE_EXPIRED', 'This code has expired; ask the teller for a new one.');
    if (attempt.claimed_by !== null && attempt.claimed_by !== deviceId)
      throw new HttpError(409, 'CODE_ALREADY_TAKEN', 'This code was already used at another kiosk.');
    const session = (await q.get<SessionRow>(`SELECT * FROM sessions WHERE session_id = $1${deps.storage.db.forUpdate}`, [
      attempt.session_id,
    ]))!;
    if (!['Not Started', 'Resubmitted', 'In Progress'].includes(session.status)) {
      throw new HttpError(409, 'SESSION_DECIDED', `This session is already ${session.status}.`);
    }
    if (attempt.claimed_by === null) {
      await q.run('UPDATE session_attempts SET claimed_by = $1, claimed_at = $2 WHERE attempt_id = $3', [
        deviceId,
        nowIso(deps),
        attempt.attempt_id,
      ]);
      await q.run('UPDATE sessions SET device_id = $1 WHERE session_id = $2', [deviceId, session.session_id]);
      await deps.storage.setSessionStatus(q, session.session_id, 'In Progress', { kiosk: deviceId });
    }
    const portrait = await q.get<{ mime: string; bytes: Buffer }>('SELECT mime, bytes FROM session_portraits WHERE session_id = $1', [
      session.session_id,
    ]);
    return {
      session_id: session.session_id,
      attempt_id: attempt.attempt_id,
      attempt: Number(attempt.attempt),
      workflow_id: session.workflow_id,
      workflow_version: session.workflow_version === null ? null : Number(session.workflow_version),
      settings: JSON.parse(session.settings_json ?? '{}') as WorkflowSettings,
      vendor_data: session.vendor_data,
      expires_at: new Date(Number(attempt.expires_at)).toISOString(),
      status: 'In Progress',
      // The attempt's signed token: the kiosk runs the settings it carries only once they verify against its pinned key.
      token: attempt.token,
      // The reference photo travels only to the kiosk that took the session, for its on-device 1:1 face match.
      portrait_image: portrait ? deps.storage.vault().open(portraitAad(session.session_id), portrait.bytes).toString('base64') : null,
    };
  });
}

/** PATCH update-status and the console's review buttons: Approved, Declined, or Resubmitted (a new attempt). */
export async function changeStatus(
  deps: BranchDeps,
  sessionId: string,
  change: { newStatus: string; comment: string | null; reviewer: string },
): Promise<{ session: SessionRow; attempt: IssuedAttempt | null }> {
  const attempt = await deps.storage.db.tx(async (q) => {
    const session = await q.get<SessionRow>(`SELECT * FROM sessions WHERE session_id = $1${deps.storage.db.forUpdate}`, [sessionId]);
    if (!session) throw new HttpError(404, 'NOT_FOUND', `No session ${sessionId}.`);
    let issued: IssuedAttempt | null = null;
    if (change.newStatus === 'Resubmitted') {
      if (!DECIDED.has(session.status))
        throw new HttpError(
          409,
          'NOT_DECIDED',
          `Session ${sessionId} is ${session.status}: only a decided session can be sent back for a new attempt.`,
        );
      if (session.origin !== 'api' || !session.workflow_id) {
        throw new HttpError(
          409,
          'WALK_IN_SESSION',
          'A walk-in session made on a kiosk cannot be resubmitted; create a new session for the person.',
        );
      }
      const latest = await q.get<{ attempt: number }>('SELECT MAX(attempt) AS attempt FROM session_attempts WHERE session_id = $1', [
        sessionId,
      ]);
      issued = await issueAttempt(
        deps,
        q,
        {
          session_id: sessionId,
          workflow_id: session.workflow_id,
          workflow_version: Number(session.workflow_version),
          settings: JSON.parse(session.settings_json ?? '{}') as WorkflowSettings,
        },
        Number(latest?.attempt ?? 0) + 1,
      );
    }
    await deps.storage.addReviewEntry(q, {
      sessionId,
      decision: change.newStatus,
      previousStatus: session.status,
      newStatus: change.newStatus,
      reviewer: change.reviewer,
      note: change.comment,
    });
    await deps.storage.setSessionStatus(q, sessionId, change.newStatus, { reviewer: change.reviewer, kiosk: session.device_id });
    return issued;
  });
  return { session: (await deps.storage.getSession(sessionId))!, attempt };
}

/** A review note, optionally with a status change (Didit's POST /v3/sessions/{id}/reviews/). */
export async function addReview(
  deps: BranchDeps,
  sessionId: string,
  review: { comment: string | null; newStatus?: string; reviewer: string },
) {
  if (review.newStatus) {
    const session = await deps.storage.getSession(sessionId);
    if (session && session.status !== review.newStatus)
      return changeStatus(deps, sessionId, { newStatus: review.newStatus, comment: review.comment, reviewer: review.reviewer });
  }
  await deps.storage.db.tx(async (q) => {
    const session = await q.get<SessionRow>('SELECT * FROM sessions WHERE session_id = $1', [sessionId]);
    if (!session) throw new HttpError(404, 'NOT_FOUND', `No session ${sessionId}.`);
    await deps.storage.addReviewEntry(q, {
      sessionId,
      decision: null,
      previousStatus: session.status,
      newStatus: session.status,
      reviewer: review.reviewer,
      note: review.comment,
    });
  });
  return { session: (await deps.storage.getSession(sessionId))!, attempt: null };
}

/**
 * Erase sessions: images, decision records, reviews, attempts, webhook payloads and the session's personal fields go;
 * what stays is a tombstone of each record's hash (so a kiosk's re-send answers duplicate, not tampering) and one
 * audit entry naming who asked.
 */
export async function eraseSessions(
  deps: BranchDeps,
  sessionIds: readonly string[],
  actor: string,
): Promise<{ deleted: number; images: number; records: number }> {
  return deps.storage.db.tx(async (q) => {
    let deleted = 0;
    let images = 0;
    let records = 0;
    for (const sessionId of sessionIds) {
      const session = await q.get<SessionRow>(`SELECT * FROM sessions WHERE session_id = $1${deps.storage.db.forUpdate}`, [sessionId]);
      if (!session) continue;
      const decisions = await q.all<{ session_id: string; device_id: string; seq: number; hash: string }>(
        'SELECT session_id, device_id, seq, hash FROM decisions WHERE session_ref = $1',
        [sessionId],
      );
      let sessionImages = 0;
      for (const decision of decisions) {
        await q.run(
          'INSERT INTO erased_records (device_id, seq, hash, erased_at) VALUES ($1, $2, $3, $4) ON CONFLICT (device_id, seq) DO NOTHING',
          [decision.device_id, Number(decision.seq), decision.hash, nowIso(deps)],
        );
        sessionImages += await q.run('DELETE FROM images WHERE session_id = $1', [decision.session_id]);
        await q.run('DELETE FROM decisions WHERE session_id = $1', [decision.session_id]);
        await q.run('DELETE FROM webhook_deliveries WHERE session_id = $1', [decision.session_id]);
      }
      await q.run('DELETE FROM reviews WHERE session_id = $1', [sessionId]);
      await q.run('DELETE FROM session_attempts WHERE session_id = $1', [sessionId]);
      sessionImages += await q.run('DELETE FROM session_portraits WHERE session_id = $1', [sessionId]);
      await q.run('DELETE FROM webhook_deliveries WHERE session_id = $1', [sessionId]);
      await q.run('DELETE FROM sessions WHERE session_id = $1', [sessionId]);
      await q.run('INSERT INTO audit_events (device_id, seq, session_id, code, detail, at) VALUES ($1, $2, $3, $4, $5, $6)', [
        null,
        null,
        sessionId,
        'SESSION_DELETED',
        `Session ${Number(session.id)} erased at the request of ${actor}: ${decisions.length} record(s), ${sessionImages} image(s), personal data removed.`,
        nowIso(deps),
      ]);
      deleted++;
      images += sessionImages;
      records += decisions.length;
    }
    return { deleted, images, records };
  });
}
