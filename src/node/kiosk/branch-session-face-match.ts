// The 1:1 face match of a branch session on the kiosk: the session's reference photo against the decision's
// reference frame, with the project's face embedding. The score, its band and the match status go into the signed
// record (score_details); a face that does not match declines the session, one that cannot be checked goes to review.
import type { LivenessResult } from '../../shared/result';
import { identityBand, similarityScore } from '../../shared/face-match';
import type { FaceDescriber } from '../engine/api';
import { cosineSimilarity } from '../engine/face-embedding';

/** 0-100 similarity of the largest face of each image; null when either image has no face the embedding can use. */
export type FaceMatchScorer = (reference: Uint8Array, live: Uint8Array) => Promise<number | null>;

export function createFaceMatchScorer(describer: Pick<FaceDescriber, 'describeLargestFace'>): FaceMatchScorer {
  return async (reference, live) => {
    const [a, b] = [await describer.describeLargestFace(reference), await describer.describeLargestFace(live)];
    if (!a || !b) return null;
    return similarityScore(cosineSimilarity(a.embedding, b.embedding));
  };
}

/**
 * Didit's face_match semantics: Approved when the score is above the workflow's decline threshold, Declined at or
 * below it. The band (match / possible / none, src/shared/face-match.ts) is recorded beside it for the reviewer.
 */
export function applyFaceMatch(result: LivenessResult, score: number | null, declineThreshold: number): LivenessResult {
  if (score === null) {
    // No usable face in the reference photo or the capture: a person must compare them.
    const status = result.status === 'Approved' ? 'In Review' : result.status;
    return {
      ...result,
      status,
      score_details: {
        ...(result.score_details ?? {}),
        face_match_status: 'Not Checked',
        face_match_score: null,
        face_match_threshold: declineThreshold,
      },
    };
  }
  const matched = score > declineThreshold;
  const status = matched ? result.status : 'Declined';
  return {
    ...result,
    status,
    ...(matched ? {} : { retry_allowed: false }),
    score_details: {
      ...(result.score_details ?? {}),
      face_match_status: matched ? 'Approved' : 'Declined',
      face_match_score: score,
      face_match_band: identityBand(score),
      face_match_threshold: declineThreshold,
    },
  };
}
