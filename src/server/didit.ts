// Didit-compatible shapes of a stored decision: the session decision and the session list entry.
import type { Warning } from '../shared/catalogue';
import type { LivenessResult } from '../shared/result';
import type { EvidenceRecord } from '../node/sync/evidence';
import type { DecisionRow, ReviewRow } from './storage';

const METHOD: Record<LivenessResult['liveness_mode'], string> = {
  passive: 'PASSIVE',
  active: 'ACTIVE_3D',
  flash: 'FLASHING',
  action_flash: 'ACTION_FLASHING',
};

const WARNING_TEXT: Record<Warning, { log_type: 'error' | 'warning'; short: string; long: string }> = {
  LOW_LIVENESS_SCORE: { log_type: 'warning', short: 'Low liveness score', long: 'The liveness score is below the threshold; the capture may not show a live person.' },
  NO_FACE_DETECTED: { log_type: 'error', short: 'No face detected', long: 'No face was found in the capture.' },
  LIVENESS_FACE_ATTACK: { log_type: 'error', short: 'Presentation attack', long: 'The capture shows signs of a print, screen replay or mask.' },
  MULTIPLE_FACES_DETECTED: { log_type: 'warning', short: 'Multiple faces detected', long: 'More than one face was in the capture; the largest was assessed.' },
  FACE_IN_BLOCKLIST: { log_type: 'error', short: 'Face in blocklist', long: 'The face matches an entry of the blocklist.' },
  POSSIBLE_FACE_IN_BLOCKLIST: { log_type: 'warning', short: 'Possible face in blocklist', long: 'The face may match an entry of the blocklist.' },
  DUPLICATED_FACE: { log_type: 'error', short: 'Duplicated face', long: 'The face was already verified in another session.' },
  POSSIBLE_DUPLICATED_FACE: { log_type: 'warning', short: 'Possible duplicated face', long: 'The face may have been verified in another session.' },
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

/** GET /v3/session/{id}/decision/ body. The reference image is a link, never inline. */
export function formatDecision(row: DecisionRow, reviews: ReviewRow[], baseUrl: string) {
  const record = JSON.parse(row.record_json) as EvidenceRecord;
  const result = record.result;
  const imageUrl = Number(row.has_image) > 0 ? `${baseUrl}/v3/session/${encodeURIComponent(row.session_id)}/reference-image` : null;
  return {
    session_id: row.session_id,
    session_number: Number(row.id),
    status: row.status,
    features: ['LIVENESS'],
    vendor_data: row.device_id,
    kiosk: row.device_id,
    created_at: result.created_at,
    received_at: row.received_at,
    liveness_checks: [
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
    ],
    reviews: reviews.map((review) => ({
      user: review.reviewer,
      decision: review.decision,
      previous_status: review.previous_status,
      new_status: review.new_status,
      comment: review.note,
      created_at: review.reviewed_at,
    })),
    evidence: {
      device_id: row.device_id,
      seq: Number(row.seq),
      hash: row.hash,
      prev_hash: row.prev_hash,
      signature: row.signature,
      image_sha256: row.image_sha256,
      chain_verified: true,
    },
  };
}

/** One entry of GET /v3/sessions. */
export function formatListEntry(row: DecisionRow) {
  const result = (JSON.parse(row.record_json) as EvidenceRecord).result;
  return {
    session_id: row.session_id,
    session_number: Number(row.id),
    status: row.status,
    kiosk: row.device_id,
    liveness_mode: result.liveness_mode,
    score: result.liveness_score,
    warnings: result.warnings,
    created_at: result.created_at,
    received_at: row.received_at,
  };
}
