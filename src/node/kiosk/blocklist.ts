// Offline blocklist screening on the kiosk: the largest face of the reference image against the encrypted local
// copy of the face blocklist, at decision time, with no network. A hit is written into the signed decision record
// (warning, status, and the entry id and similarity in score_details); the copy is refreshed from the server.
import type { LivenessResult } from '../../shared/result';
import { CodedError } from '../../shared/errors';
import { identityBand, similarityScore } from '../../shared/face-match';
import type { FaceDescriber } from '../engine/api';
import { cosineSimilarity } from '../engine/face-embedding';
import type { BlocklistFace, BlocklistStore } from '../store/blocklist-store';
import type { DecisionStore } from '../store/store';
import { signedRequestHeaders } from '../sync/evidence';

/** Where kiosks fetch the blocklist (device-signed GET on the central API). */
export const BLOCKLIST_SYNC_PATH = '/v1/devices/blocklist';

export interface BlocklistHit {
  warning: 'FACE_IN_BLOCKLIST' | 'POSSIBLE_FACE_IN_BLOCKLIST';
  entryUuid: string;
  /** 0-100 similarity score. */
  similarity: number;
}

/** The strongest blocklist entry in the match or possible-match band, or null. */
export function matchBlocklist(faces: readonly BlocklistFace[], embedding: Float32Array): BlocklistHit | null {
  let best: { face: BlocklistFace; similarity: number } | null = null;
  for (const face of faces) {
    const similarity = similarityScore(cosineSimilarity(embedding, face.embedding));
    if (!best || similarity > best.similarity) best = { face, similarity };
  }
  if (!best) return null;
  const band = identityBand(best.similarity);
  if (band === 'none') return null;
  return {
    warning: band === 'match' ? 'FACE_IN_BLOCKLIST' : 'POSSIBLE_FACE_IN_BLOCKLIST',
    entryUuid: best.face.entryUuid,
    similarity: best.similarity,
  };
}

/** A confirmed hit declines at once (no retry); a possible one sends an Approved session to review. */
export function applyBlocklistHit(result: LivenessResult, hit: BlocklistHit): LivenessResult {
  const confirmed = hit.warning === 'FACE_IN_BLOCKLIST';
  const status = confirmed ? 'Declined' : result.status === 'Approved' ? 'In Review' : result.status;
  return {
    ...result,
    status,
    warnings: result.warnings.includes(hit.warning) ? result.warnings : [...result.warnings, hit.warning],
    ...(confirmed ? { retry_allowed: false } : {}),
    score_details: { ...(result.score_details ?? {}), blocklist_entry_uuid: hit.entryUuid, blocklist_similarity: hit.similarity },
  };
}

/** The decision-time screen the kiosk service calls before recording: only decided sessions with a face image. */
export function createBlocklistScreen(store: BlocklistStore, describer: FaceDescriber) {
  return async (result: LivenessResult, referenceJpeg: Uint8Array | undefined): Promise<LivenessResult> => {
    if (!referenceJpeg || (result.status !== 'Approved' && result.status !== 'In Review')) return result;
    const faces = store.faces();
    if (faces.length === 0) return result;
    const description = await describer.describeLargestFace(referenceJpeg);
    if (!description) return result;
    const hit = matchBlocklist(faces, description.embedding);
    return hit ? applyBlocklistHit(result, hit) : result;
  };
}

/** Fetches the blocklist with the kiosk's device signature and replaces the local copy. Returns the entry count. */
export async function syncBlocklist(options: {
  serverUrl: string;
  deviceId: string;
  decisions: DecisionStore;
  blocklist: BlocklistStore;
  fetch?: typeof fetch;
  now?: () => number;
}): Promise<number> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(new URL(BLOCKLIST_SYNC_PATH, options.serverUrl), {
    headers: signedRequestHeaders((message) => options.decisions.identity.sign(message), {
      method: 'GET',
      path: BLOCKLIST_SYNC_PATH,
      body: '',
      deviceId: options.deviceId,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new CodedError('SERVER_ERROR', `The server answered ${response.status} to the blocklist sync.`);
  const body = (await response.json()) as {
    entries?: { entry_uuid: string; list_uuid: string; label: string | null; embedding: string }[];
  };
  if (!Array.isArray(body.entries)) throw new CodedError('SERVER_ERROR', "The server's blocklist answer has no entries.");
  const faces = body.entries.map((entry) => {
    const bytes = new Uint8Array(Buffer.from(entry.embedding, 'base64'));
    return {
      entryUuid: entry.entry_uuid,
      listUuid: entry.list_uuid,
      label: entry.label,
      embedding: new Float32Array(bytes.buffer, 0, bytes.byteLength / 4),
    };
  });
  options.blocklist.replace(faces, new Date((options.now ?? Date.now)()).toISOString());
  return faces.length;
}
