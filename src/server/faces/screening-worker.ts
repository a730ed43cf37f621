// Face screening of synced sessions, after the fact: every Approved decision a kiosk syncs (a walk-in, or a session
// made through the API and taken at a kiosk) is picked up by a background pass on one server instance, its reference
// image embedded and screened against the blocklists and the faces of other vendor_data. A hit changes the session's
// server-side status (confirmed: Declined; possible: In Review) with the reason on the review trail and a webhook;
// the kiosk's signed record is never edited. The sync itself never waits for this, nor fails because of it.
import { tuned } from '../../shared/tunables';
import { workflowSettingsSchema } from '../../shared/workflow';
import type { SqlDb } from '../sql';
import type { SessionRow, Storage } from '../storage';
import { describe, type FaceRouteDeps } from './deps';
import { screenFace, type Screening } from './screening';

/** The reviewer name a screening's status change is recorded under. */
export const FACE_SCREENING_REVIEWER = 'face-screening';

/** What became of one screened decision (face_screenings.state). */
export type ScreeningState = 'running' | 'done' | 'skipped' | 'failed';

export interface FaceScreeningRow {
  decision_session_id: string;
  session_id: string;
  state: ScreeningState;
  attempts: number;
  warnings_json: string | null;
  status_before: string | null;
  status_after: string | null;
  reason: string | null;
  enrolled: number;
  screened_at: string | null;
}

export interface FaceScreeningWorker {
  /** One pass: claim due decisions and screen them. Resolves with how many were handled. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface Claim {
  decisionSessionId: string;
  sessionId: string;
}

/**
 * The session's workflow FACE_SEARCH check when it is on: its face is enrolled (later sessions are screened against
 * it) and its face_search_score_threshold is the similarity at which another person's face counts as a duplicate.
 */
function faceSearchOf(session: SessionRow): { threshold: number } | null {
  if (!session.settings_json) return null;
  const parsed = workflowSettingsSchema.safeParse(JSON.parse(session.settings_json));
  return parsed.success && parsed.data.face_search?.enabled ? parsed.data.face_search : null;
}

/** A walk-in's vendor_data is its kiosk's id, not a person's: only a central session names who it is for. */
const personOf = (session: SessionRow) => (session.origin === 'api' ? session.vendor_data : null);

/** One line per hit for the review trail: codes and ids only, never a face. */
function reasonOf(screening: Screening): string {
  const parts: string[] = [];
  const b = screening.blocklistMatch;
  if (b)
    parts.push(
      `${screening.warnings.find((w) => w.endsWith('BLOCKLIST'))}: list ${b.list_uuid} entry ${b.entry_uuid}, similarity ${b.similarity}`,
    );
  const d = screening.duplicateMatch;
  if (d)
    parts.push(
      `${screening.warnings.find((w) => w.endsWith('DUPLICATED_FACE'))}: session ${d.session_id} (vendor_data ${d.vendor_data ?? 'none'}), similarity ${d.similarity}`,
    );
  return parts.join('; ');
}

export function startFaceScreening(options: {
  db: SqlDb;
  storage: Storage;
  deps: FaceRouteDeps;
  logger?: { warn(fields: object, message: string): void };
  pollMs?: number;
}): FaceScreeningWorker {
  const { db, storage, deps } = options;
  const pollMs = options.pollMs ?? tuned('faceScreeningPollMs');
  const leaseMs = tuned('faceScreeningLeaseMs');
  const maxAttempts = tuned('faceScreeningMaxAttempts');
  const iso = () => new Date(deps.now()).toISOString();
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  /** decisions.id up to which this instance has read every decision (it reads only newer ones between sweeps). */
  let cursor = 0;
  let nextSweepAt = -Infinity;

  /**
   * Unscreened Approved decisions. Each pass reads only the decisions after the cursor; a sweep from the start (at
   * start-up, then every faceScreeningSweepMs) catches a decision that committed behind it (PostgreSQL hands out ids
   * before commit, so a lower id can appear after a higher one was read; SQLite's single writer never does this).
   */
  async function unscreened(batch: number, now: number): Promise<{ session_id: string; session_ref: string }[]> {
    if (now >= nextSweepAt) {
      const top = Number((await db.get<{ top: number | null }>('SELECT MAX(id) AS top FROM decisions'))?.top ?? 0);
      const rows = await db.all<{ session_id: string; session_ref: string }>(
        `SELECT d.session_id, d.session_ref FROM decisions d
          WHERE d.decided_status = 'Approved' AND NOT EXISTS (SELECT 1 FROM face_screenings s WHERE s.decision_session_id = d.session_id)
          ORDER BY d.id LIMIT $1`,
        [batch],
      );
      if (rows.length < batch) {
        // Swept to the end: everything up to `top` is screened or claimed now.
        cursor = Math.max(cursor, top);
        nextSweepAt = now + tuned('faceScreeningSweepMs');
      }
      return rows;
    }
    const rows = await db.all<{ id: number; session_id: string; session_ref: string; decided_status: string; screened: number }>(
      `SELECT d.id, d.session_id, d.session_ref, d.decided_status,
              CASE WHEN EXISTS (SELECT 1 FROM face_screenings s WHERE s.decision_session_id = d.session_id) THEN 1 ELSE 0 END AS screened
         FROM decisions d WHERE d.id > $1 ORDER BY d.id LIMIT $2`,
      [cursor, batch],
    );
    if (rows.length > 0) cursor = Number(rows[rows.length - 1].id);
    return rows.filter((row) => row.decided_status === 'Approved' && !Number(row.screened));
  }

  /** New Approved decisions (a unique row claims each for one instance) and leases a crashed instance left behind. */
  async function claim(): Promise<Claim[]> {
    const batch = tuned('faceScreeningBatch');
    const now = deps.now();
    const claims: Claim[] = [];
    const fresh = await unscreened(batch, now);
    for (const row of fresh) {
      const taken = await db.run(
        "INSERT INTO face_screenings (decision_session_id, session_id, state, attempts, locked_until, enrolled, created_at) VALUES ($1, $2, 'running', 1, $3, 0, $4) ON CONFLICT (decision_session_id) DO NOTHING",
        [row.session_id, row.session_ref, now + leaseMs, iso()],
      );
      if (taken === 1) claims.push({ decisionSessionId: row.session_id, sessionId: row.session_ref });
    }
    const stale = await db.all<{ decision_session_id: string; session_id: string }>(
      "SELECT decision_session_id, session_id FROM face_screenings WHERE state = 'running' AND locked_until < $1 ORDER BY locked_until LIMIT $2",
      [now, batch],
    );
    for (const row of stale) {
      const taken = await db.run(
        "UPDATE face_screenings SET attempts = attempts + 1, locked_until = $1 WHERE decision_session_id = $2 AND state = 'running' AND locked_until < $3",
        [now + leaseMs, row.decision_session_id, now],
      );
      if (taken === 1) claims.push({ decisionSessionId: row.decision_session_id, sessionId: row.session_id });
    }
    return claims;
  }

  async function finish(
    claim: Claim,
    state: ScreeningState,
    fields: { warnings?: string[]; before?: string | null; after?: string | null; reason?: string | null; enrolled?: boolean },
  ) {
    await db.run(
      'UPDATE face_screenings SET state = $1, warnings_json = $2, status_before = $3, status_after = $4, reason = $5, enrolled = $6, screened_at = $7 WHERE decision_session_id = $8',
      [
        state,
        JSON.stringify(fields.warnings ?? []),
        fields.before ?? null,
        fields.after ?? null,
        fields.reason ?? null,
        fields.enrolled ? 1 : 0,
        iso(),
        claim.decisionSessionId,
      ],
    );
  }

  async function screen(claim: Claim): Promise<void> {
    const session = await storage.getSession(claim.sessionId);
    if (!session) return finish(claim, 'skipped', { reason: 'session erased before screening' });
    const faceSearch = faceSearchOf(session);
    const enrolAsked = faceSearch !== null;
    // Nothing to find and nothing to enrol: the engine is not woken for it.
    const anyone = await db.get('SELECT 1 AS x FROM face_embeddings WHERE searchable = 1 LIMIT 1');
    if (!anyone && !enrolAsked)
      return finish(claim, 'skipped', { before: session.status, after: session.status, reason: 'empty index and no enrolment asked' });
    const image = await storage.getImage(claim.sessionId);
    if (!image) return finish(claim, 'skipped', { before: session.status, after: session.status, reason: 'no reference image' });
    const face = await describe(deps, image);
    if (!face) return finish(claim, 'skipped', { before: session.status, after: session.status, reason: 'no face in the reference image' });
    const screening = await screenFace(deps.faces, face.embedding, {
      sessionId: claim.sessionId,
      vendorData: personOf(session),
      requireVendorData: true,
      duplicateThreshold: faceSearch?.threshold,
    });
    const reason = reasonOf(screening);
    const enrol = enrolAsked;
    const outcome = await db.tx(async (q) => {
      // Re-read under the row lock: a reviewer, another attempt or an erasure may have moved the session meanwhile.
      const current = await q.get<SessionRow>(`SELECT * FROM sessions WHERE session_id = $1${db.forUpdate}`, [claim.sessionId]);
      if (!current) return { before: null, after: null, enrolled: false };
      const latest = await q.get<{ session_id: string }>(
        'SELECT session_id FROM decisions WHERE session_ref = $1 ORDER BY id DESC LIMIT 1',
        [claim.sessionId],
      );
      let after = current.status;
      if (current.status === 'Approved' && latest?.session_id === claim.decisionSessionId && screening.statusOverride) {
        after = screening.statusOverride;
        await storage.addReviewEntry(q, {
          sessionId: claim.sessionId,
          decision: after,
          previousStatus: current.status,
          newStatus: after,
          reviewer: FACE_SCREENING_REVIEWER,
          note: reason,
        });
        await storage.setSessionStatus(q, claim.sessionId, after, { face_screening: { warnings: screening.warnings, reason } });
      }
      // Enrolled in the same transaction as the status: an erasure cannot slip between them and leave a face behind.
      const enrolled = enrol && after === 'Approved';
      if (enrolled) {
        await deps.faces.enrolFace(
          {
            source: 'session',
            sessionId: claim.sessionId,
            vendorData: personOf(session),
            status: after,
            searchable: true,
            embedding: face.embedding,
          },
          deps.now(),
          q,
        );
      }
      return { before: current.status, after, enrolled };
    });
    await finish(claim, 'done', {
      warnings: screening.warnings,
      before: outcome.before,
      after: outcome.after,
      reason: reason || null,
      enrolled: outcome.enrolled,
    });
  }

  async function runOnce(): Promise<number> {
    const claims = await claim();
    for (const c of claims) {
      if (stopped) break;
      try {
        await screen(c);
      } catch (err) {
        // Left running with its lease: retried when the lease runs out, until the attempts are spent.
        const attempts = Number(
          (await db.get<{ attempts: number }>('SELECT attempts FROM face_screenings WHERE decision_session_id = $1', [c.decisionSessionId]))
            ?.attempts ?? 0,
        );
        if (attempts >= maxAttempts)
          await finish(c, 'failed', { reason: `screening failed ${attempts} times: ${(err as { code?: string }).code ?? 'ERROR'}` });
        options.logger?.warn(
          { session_id: c.sessionId, code: (err as { code?: string }).code ?? 'ERROR', attempts },
          'face screening failed; it will be retried',
        );
      }
    }
    return claims.length;
  }

  // The next pass is scheduled when this one ends: a slow pass (engine loading) never piles passes up.
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err) => {
          options.logger?.warn({ code: (err as { code?: string }).code ?? 'ERROR' }, 'face screening pass failed');
          return 0;
        })
        .finally(schedule);
    }, pollMs);
    timer.unref();
  };
  schedule();

  return {
    runOnce: () => (running = running.then(runOnce, runOnce)),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => 0);
    },
  };
}
