// What the console reads and changes in the API's data (sessions, reviews, kiosks), behind one small interface.
// Calls the API's Storage and branch flow where they have the method (reviews go through changeStatus, like the
// API's update-status); the queries they lack (search, kiosk summary) are here and marked.
import { checkSignedHash, GENESIS_HASH, sha256Hex, type EvidenceRecord } from '../../node/sync/evidence';
import { CodedError } from '../../shared/errors';
import type { LivenessResult } from '../../shared/result';
import { changeStatus, type BranchDeps } from '../branch';
import { formatEvidence } from '../didit';
import type { DecisionRow, ReviewRow } from '../storage';
import type { Workflows } from '../workflows';
import type { KioskSummary, SessionSummary } from '../../shared/console-wire';

export type { KioskSummary, SessionSummary } from '../../shared/console-wire';

export const REVIEW_ACTIONS = ['Approve', 'Decline', 'Resubmit'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];
const NEW_STATUS: Record<ReviewAction, string> = { Approve: 'Approved', Decline: 'Declined', Resubmit: 'Resubmitted' };

export interface SessionFilters {
  status?: string;
  kiosk?: string;
  from?: string;
  to?: string;
  /** Part of a session id or kiosk id. */
  search?: string;
  limit: number;
  offset: number;
}

export interface EvidenceCheck {
  record_hash_ok: boolean;
  signature_ok: boolean;
  chain_link_ok: boolean | null;
  image_hash_ok: boolean | null;
  verified: boolean;
}

export interface SessionDetail extends SessionSummary {
  result: LivenessResult;
  has_image: boolean;
  reviews: ReviewRow[];
  evidence: {
    device_id: string;
    seq: number;
    hash: string;
    prev_hash: string;
    signature: string;
    image_sha256: string | null;
    check: EvidenceCheck;
  };
}

export interface ConsoleData {
  listSessions(filters: SessionFilters): Promise<{ count: number; results: SessionSummary[] }>;
  getSession(id: string): Promise<SessionDetail | null>;
  image(id: string): Promise<Buffer | null>;
  settle(id: string, action: ReviewAction, reviewer: string, comment: string | null): Promise<{ status: string }>;
  kiosks(): Promise<KioskSummary[]>;
}

const summary = (row: DecisionRow): SessionSummary => {
  const result = (JSON.parse(row.record_json) as EvidenceRecord).result;
  return {
    session_id: row.session_id,
    session_number: Number(row.id),
    status: row.status,
    decided_status: row.decided_status,
    kiosk: row.device_id,
    liveness_mode: result.liveness_mode,
    score: result.liveness_score,
    warnings: [...result.warnings],
    created_at: result.created_at,
    received_at: row.received_at,
  };
};

/** Re-check a stored record: its hash, the kiosk's signature, its link to the kiosk's previous record, its image. */
export function checkEvidence(
  row: DecisionRow,
  publicKeyPem: string | null,
  previousHash: string | null,
  image: Buffer | null,
): EvidenceCheck {
  const record = JSON.parse(row.record_json) as EvidenceRecord;
  const { hashMatches: recordHashOk, signatureValid: signatureOk } = checkSignedHash(record, row.hash, row.signature, publicKeyPem);
  const expectedPrev = Number(row.seq) === 1 ? GENESIS_HASH : previousHash;
  const chainLinkOk = expectedPrev === null ? null : record.prev_hash === expectedPrev && row.prev_hash === expectedPrev;
  const imageHashOk = image === null ? null : row.image_sha256 !== null && sha256Hex(image) === row.image_sha256;
  return {
    record_hash_ok: recordHashOk,
    signature_ok: signatureOk,
    chain_link_ok: chainLinkOk,
    image_hash_ok: imageHashOk,
    verified: recordHashOk && signatureOk && chainLinkOk !== false && imageHashOk !== false,
  };
}

export function storageConsoleData(deps: BranchDeps, workflows: Pick<Workflows, 'defaultWorkflow'>): ConsoleData {
  const storage = deps.storage;
  const db = storage.db;
  const columns = `d.id, d.device_id, d.seq, d.session_id, d.status, d.decided_status, d.created_at, d.received_at, d.record_json,
    d.hash, d.prev_hash, d.signature, d.image_sha256, (SELECT COUNT(*) FROM images i WHERE i.session_id = d.session_id) AS has_image`;
  return {
    async listSessions(filters) {
      if (!filters.search) {
        const { count, rows } = await storage.listDecisions(filters);
        return { count, results: rows.map(summary) };
      }
      // Search is not in the API's storage yet: part of a session id or a kiosk id, with the same filters.
      const where: string[] = [];
      const params: unknown[] = [];
      const needle = `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`(d.session_id LIKE $${params.push(needle)} ESCAPE '\\' OR d.device_id LIKE $${params.length} ESCAPE '\\')`);
      if (filters.status) where.push(`d.status = $${params.push(filters.status)}`);
      if (filters.kiosk) where.push(`d.device_id = $${params.push(filters.kiosk)}`);
      if (filters.from) where.push(`d.created_at >= $${params.push(filters.from)}`);
      if (filters.to) where.push(`d.created_at <= $${params.push(filters.to)}`);
      const clause = `WHERE ${where.join(' AND ')}`;
      const total = await db.get<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM decisions d ${clause}`, params);
      const rows = await db.all<DecisionRow>(
        `SELECT ${columns} FROM decisions d ${clause} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filters.limit, filters.offset],
      );
      return { count: Number(total?.n ?? 0), results: rows.map(summary) };
    },

    async getSession(id) {
      const row = await storage.getDecision(id);
      if (!row) return null;
      const device = await storage.getDevice(row.device_id);
      const previous = await db.get<{ hash: string }>('SELECT hash FROM decisions WHERE device_id = $1 AND seq = $2', [
        row.device_id,
        Number(row.seq) - 1,
      ]);
      const image = await storage.getImage(id);
      const record = JSON.parse(row.record_json) as EvidenceRecord;
      return {
        ...summary(row),
        result: record.result,
        has_image: image !== null,
        reviews: await storage.reviewsOf(id),
        evidence: {
          ...formatEvidence(row),
          check: checkEvidence(row, device?.public_key_pem ?? null, previous?.hash ?? null, image),
        },
      };
    },

    image: (id) => storage.getImage(id),

    async settle(id, action, reviewer, comment) {
      const session = await storage.getSession(id);
      if (!session) throw new CodedError('NOT_FOUND', `No session ${id}.`);
      // The console settles only what waits for a person; the API's update-status may also overrule a decision.
      if (session.status !== 'In Review') throw new CodedError('CONFLICT', `Session ${id} is ${session.status}, not In Review.`);
      const after = await changeStatus(deps, id, { newStatus: NEW_STATUS[action], comment, reviewer });
      return { status: after.session.status };
    },

    async kiosks() {
      // One row per enrolled kiosk: what it sent, and what it reported at its last sync (kiosk_reports, branch.ts).
      const rows = await db.all<{
        id: string;
        enrolled_at: string;
        last_seq: number;
        decisions: number;
        last_record_at: string | null;
        latest_record: string | null;
        reported_at: string | null;
        pending: number | null;
        app_version: string | null;
        applied_id: string | null;
        applied_version: number | null;
        applied_label: string | null;
        assigned_id: string | null;
        assigned_label: string | null;
        assigned_version: number | null;
      }>(
        `SELECT v.id, v.enrolled_at, v.last_seq,
           (SELECT CAST(COUNT(*) AS INTEGER) FROM decisions d WHERE d.device_id = v.id) AS decisions,
           (SELECT MAX(d.received_at) FROM decisions d WHERE d.device_id = v.id) AS last_record_at,
           (SELECT d.record_json FROM decisions d WHERE d.device_id = v.id ORDER BY d.seq DESC LIMIT 1) AS latest_record,
           r.reported_at, r.pending, r.app_version, r.workflow_id AS applied_id, r.workflow_version AS applied_version, aw.label AS applied_label,
           v.workflow_id AS assigned_id, w.label AS assigned_label, w.version AS assigned_version
         FROM devices v
           LEFT JOIN kiosk_reports r ON r.device_id = v.id
           LEFT JOIN workflows aw ON aw.uuid = r.workflow_id
           LEFT JOIN workflows w ON w.uuid = v.workflow_id
         ORDER BY v.enrolled_at`,
      );
      const fallback = await workflows.defaultWorkflow();
      return rows.map((row) => {
        const versions = row.latest_record ? (JSON.parse(row.latest_record) as EvidenceRecord).result.model_versions : null;
        const syncs = [row.last_record_at, row.reported_at].filter((at): at is string => at !== null).sort();
        const delivered =
          row.assigned_id && row.assigned_label !== null
            ? { id: row.assigned_id, name: row.assigned_label, version: Number(row.assigned_version) }
            : fallback
              ? { id: fallback.uuid, name: fallback.label, version: Number(fallback.version) }
              : null;
        return {
          device_id: row.id,
          enrolled_at: row.enrolled_at,
          last_sync_at: syncs.at(-1) ?? null,
          decisions: Number(row.decisions),
          last_seq: Number(row.last_seq),
          pending: row.pending === null ? null : Number(row.pending),
          version: row.app_version,
          models: versions
            ? Object.entries(versions)
                .map(([name, version]) => `${name} ${version}`)
                .join(', ')
            : null,
          workflow:
            row.applied_id !== null && row.applied_version !== null
              ? { id: row.applied_id, name: row.applied_label ?? row.applied_id, version: Number(row.applied_version) }
              : null,
          delivered,
        } satisfies KioskSummary;
      });
    },
  };
}
