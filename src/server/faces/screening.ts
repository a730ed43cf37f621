// Screening a face against the index: blocklist hits and the same face under another vendor_data, as the brief's
// four warnings. A confirmed blocklist hit or duplicate declines; a possible one sends the session to review.
import type { Status, Warning } from '../../shared/catalogue';
import { identityBand, SCORE_POSSIBLE_MATCH } from '../../shared/face-match';
import type { FaceIndex, FaceMatch } from './face-index';

/** How many nearest faces a screening looks at (blocklist entries may rank below several duplicates). */
export const SCREENING_CANDIDATES = 50;

export interface Screening {
  warnings: Warning[];
  /** The strongest blocklist match and duplicate match, if any (no embeddings). */
  blocklistMatch: FaceMatch | null;
  duplicateMatch: FaceMatch | null;
  /** Declined on a confirmed hit, In Review on a possible one, else null (the status is left as it was). */
  statusOverride: Extract<Status, 'Declined' | 'In Review'> | null;
}

const isBlocklisted = (m: FaceMatch) => m.source === 'list_entry' && m.list_type === 'blocklist';
const isEnrolledFace = (m: FaceMatch) => m.source === 'session' || m.source === 'api_request';

/**
 * Another person's record: a different vendor_data, or (face-search's rule) no vendor_data on either side to say they
 * are the same. With requireVendorData (session screening) both must name a person: a walk-in names nobody.
 */
function underAnotherVendorData(match: FaceMatch, vendorData: string | null | undefined, requireVendorData: boolean): boolean {
  if (!vendorData || !match.vendor_data) return !requireVendorData;
  return match.vendor_data !== vendorData;
}

/**
 * duplicateThreshold: a workflow's face_search_score_threshold (Didit: the configured minimum similarity for a match
 * to count). Another person's face at or above it is a duplicate, confirmed in the match band and possible below it;
 * without one, the possible band's edge. Blocklist hits keep the bands: Didit declines them whatever the settings.
 */
export async function screenFace(
  index: FaceIndex,
  embedding: Float32Array,
  subject: { sessionId?: string; vendorData?: string | null; requireVendorData?: boolean; duplicateThreshold?: number },
): Promise<Screening> {
  const matches = await index.search(embedding, { limit: SCREENING_CANDIDATES, excludeSessionId: subject.sessionId });
  const blocklistMatch = matches.find((m) => isBlocklisted(m) && identityBand(m.similarity) !== 'none') ?? null;
  const duplicateFrom = subject.duplicateThreshold ?? SCORE_POSSIBLE_MATCH;
  const duplicateMatch =
    matches.find(
      (m) =>
        isEnrolledFace(m) &&
        underAnotherVendorData(m, subject.vendorData, subject.requireVendorData ?? false) &&
        m.similarity >= duplicateFrom,
    ) ?? null;
  const warnings: Warning[] = [];
  if (blocklistMatch)
    warnings.push(identityBand(blocklistMatch.similarity) === 'match' ? 'FACE_IN_BLOCKLIST' : 'POSSIBLE_FACE_IN_BLOCKLIST');
  if (duplicateMatch) warnings.push(identityBand(duplicateMatch.similarity) === 'match' ? 'DUPLICATED_FACE' : 'POSSIBLE_DUPLICATED_FACE');
  const statusOverride =
    warnings.includes('FACE_IN_BLOCKLIST') || warnings.includes('DUPLICATED_FACE') ? 'Declined' : warnings.length > 0 ? 'In Review' : null;
  return { warnings, blocklistMatch, duplicateMatch, statusOverride };
}
