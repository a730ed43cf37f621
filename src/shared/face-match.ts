// Face identity bands: the cosine similarity of two face embeddings mapped to Didit's 0-100 similarity score, and
// the match / possible-match bands of the four screening warnings. Pure: the kiosk, the server and the CLI share it.

/**
 * Cosine similarity at which the identity-labelled fixtures measured FMR 1e-3 (the "match" band starts here).
 * Tuned on the 54 photos / 19 people of src/node/eval/face-identities.json; re-tune with
 * `npx liveness face-eval ../shared/fixtures` (it prints the cosine at each FMR).
 */
export const COSINE_AT_MATCH = 0.645;
/** Cosine similarity at which the same data measured FMR 1e-2 (the "possible match" band starts here). */
export const COSINE_AT_POSSIBLE_MATCH = 0.593;

/** Score given to COSINE_AT_MATCH: scores at or above it are a confident match. */
export const SCORE_MATCH = 60;
/** Score given to COSINE_AT_POSSIBLE_MATCH; equal to Didit's default face_match_score_decline_threshold (30). */
export const SCORE_POSSIBLE_MATCH = 30;
/** Didit's default `face_match_score_decline_threshold`: a 1:1 score at or below it is Declined. */
export const DEFAULT_FACE_MATCH_DECLINE_THRESHOLD = SCORE_POSSIBLE_MATCH;
/** face-search returns at most this many matches (Didit's documented limit). */
export const MAX_FACE_SEARCH_MATCHES = 5;

/** Piecewise-linear, monotonic: cosine <= 0 -> 0, the two measured cosines -> their scores, 1 -> 100. */
export function similarityScore(cosine: number): number {
  const knots: [number, number][] = [
    [0, 0],
    [COSINE_AT_POSSIBLE_MATCH, SCORE_POSSIBLE_MATCH],
    [COSINE_AT_MATCH, SCORE_MATCH],
    [1, 100],
  ];
  if (!(cosine > 0)) return 0;
  if (cosine >= 1) return 100;
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i];
    if (cosine <= x1) {
      const [x0, y0] = knots[i - 1];
      return Math.round((y0 + ((cosine - x0) / (x1 - x0)) * (y1 - y0)) * 100) / 100;
    }
  }
  return 100;
}

export type IdentityBand = 'match' | 'possible' | 'none';

export function identityBand(score: number): IdentityBand {
  if (score >= SCORE_MATCH) return 'match';
  if (score >= SCORE_POSSIBLE_MATCH) return 'possible';
  return 'none';
}
