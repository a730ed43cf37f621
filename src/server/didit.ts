// Didit-compatible shapes: the session decision, a review, and the session list entry.
import type { Warning } from '../shared/catalogue';
import type { EvidenceRecord } from '../node/sync/evidence';
import type { RecordVerification } from './evidence-check';
import type { DecisionRow, ReviewRow, SessionRow } from './storage';
import { MODE_TO_METHOD as METHOD } from './workflows';

const WARNING_TEXT: Record<Warning, { log_type: 'error' | 'warning'; short: string; long: string }> = {
  LOW_LIVENESS_SCORE: {
    log_type: 'warning',
    short: 'Low liveness score',
    long: 'The liveness score is below the threshold; the capture may not show a live person.',
  },
  NO_FACE_DETECTED: { log_type: 'error', short: 'No face detected', long: 'No face was found in the capture.' },
  LIVENESS_FACE_ATTACK: {
    log_type: 'error',
    short: 'Presentation attack',
    long: 'The capture shows signs of a print, screen replay or mask.',
  },
  MULTIPLE_FACES_DETECTED: {
    log_type: 'warning',
    short: 'Multiple faces detected',
    long: 'More than one face was in the capture; the largest was assessed.',
  },
  FACE_IN_BLOCKLIST: { log_type: 'error', short: 'Face in blocklist', long: 'The face matches an entry of the blocklist.' },
  POSSIBLE_FACE_IN_BLOCKLIST: {
    log_type: 'warning',
    short: 'Possible face in blocklist',
    long: 'The face may match an entry of the blocklist.',
  },
  DUPLICATED_FACE: { log_type: 'error', short: 'Duplicated face', long: 'The face was already verified in another session.' },
  POSSIBLE_DUPLICATED_FACE: {
    log_type: 'warning',
    short: 'Possible duplicated face',
    long: 'The face may have been verified in another session.',
  },
  INJECTION_SUSPECTED: {
    log_type: 'warning',
    short: 'Camera stream suspected',
    long: 'The camera frames look injected (frozen, looped, without sensor noise, on a synthetic clock or changing resolution).',
  },
};

export function formatWarnings(warnings: readonly Warning[]) {
  return warnings.map((risk) => ({
    risk,
    feature: 'LIVENESS',
    log_type: WARNING_TEXT[risk]?.log_type ?? 'warning',
    short_description: WARNING_TEXT[risk]?.short ?? risk,
    long_description: WARNING_TEXT[risk]?.long ?? risk,
    additional_data: null,
  }));
}

/** GET /v3/session/{id}/decision/ body: the session, its latest check (if a kiosk recorded one), reviews and evidence. */
export function formatDecision(
  session: SessionRow,
  row: DecisionRow | undefined,
  reviews: ReviewRow[],
  baseUrl: string,
  verification: RecordVerification | null = null,
) {
  const result = row ? (JSON.parse(row.record_json) as EvidenceRecord).result : null;
  const imageUrl =
    row && Number(row.has_image) > 0 ? `${baseUrl}/v3/session/${encodeURIComponent(session.session_id)}/reference-image` : null;
  return {
    session_id: session.session_id,
    session_number: Number(session.id),
    status: session.status,
    workflow_id: session.workflow_id,
    features: ['LIVENESS'],
    vendor_data: session.vendor_data,
    metadata: session.metadata_json ? (JSON.parse(session.metadata_json) as unknown) : null,
    callback: session.callback,
    kiosk: session.device_id,
    created_at: result?.created_at ?? session.created_at,
    received_at: row?.received_at ?? null,
    liveness_checks: result
      ? [
          {
            status: result.status,
            method: METHOD[result.liveness_mode],
            liveness_mode: result.liveness_mode,
            score: result.liveness_score,
            liveness_passed: result.liveness_passed,
            liveness_threshold: result.liveness_threshold,
            reference_image: imageUrl,
            video_url: null,
            warnings: formatWarnings(result.warnings),
            face_quality: result.face_quality,
            face_luminance: result.face_luminance,
            challenges_completed: result.challenges_completed,
            challenge_sequence: result.challenge_sequence,
            flash_sequence: result.flash_sequence,
            frames_captured: result.frames_captured,
            pose_variation_score: result.pose_variation_score,
            expression_variation_score: result.expression_variation_score,
            passive_score: result.passive_score,
            flash_score: result.flash_score,
            planar_score: result.planar_score,
            attempts_used: result.attempts_used,
            max_attempts: result.max_attempts,
            feedback_codes: result.feedback_codes,
            model_versions: result.model_versions,
            reference_image_meta: result.reference_image,
          },
        ]
      : [],
    reviews: reviews.map(formatReview),
    evidence: row ? { ...formatEvidence(row), verification, chain_verified: verification ? verification.verified : null } : null,
  };
}

/** A kiosk record's place in its kiosk's signed chain, as the API's decision and the console's session detail show it. */
export function formatEvidence(row: DecisionRow) {
  return {
    device_id: row.device_id,
    seq: Number(row.seq),
    hash: row.hash,
    prev_hash: row.prev_hash,
    signature: row.signature,
    image_sha256: row.image_sha256,
  };
}

/** One entry of a session's review trail (Didit's reviews list). */
export function formatReview(review: ReviewRow) {
  return {
    user: review.reviewer,
    decision: review.decision,
    previous_status: review.previous_status,
    new_status: review.new_status,
    comment: review.note,
    created_at: review.reviewed_at,
  };
}

/** One entry of GET /v3/sessions/. */
export function formatListEntry(session: SessionRow, row: DecisionRow | undefined) {
  const result = row ? (JSON.parse(row.record_json) as EvidenceRecord).result : null;
  return {
    session_id: session.session_id,
    session_number: Number(session.id),
    status: session.status,
    workflow_id: session.workflow_id,
    vendor_data: session.vendor_data,
    kiosk: session.device_id,
    liveness_mode: result?.liveness_mode ?? null,
    score: result?.liveness_score ?? null,
    warnings: result?.warnings ?? [],
    created_at: result?.created_at ?? session.created_at,
    received_at: row?.received_at ?? null,
  };
}
