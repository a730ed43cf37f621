// POST /v3/face-search/: 1:N search of user_image's largest face against the index (Didit's contract): up to 5
// matches, blocklist and duplicate warnings; only a blocklist warning declines. save_api_request (default true)
// enrols the searched face, excluded from later searches as Didit does.
import type { FastifyInstance } from 'fastify';
import { CodedError } from '../../shared/errors';
import { MAX_FACE_SEARCH_MATCHES } from '../../shared/face-match';
import { formatWarnings } from '../didit';
import type { FaceMatch } from '../faces/face-index';
import { screenFace, SCREENING_CANDIDATES } from '../faces/screening';
import { describe, imageBlock, warning, type FaceRouteDeps } from '../faces/deps';
import { readFaceRequest, saveRequestFace } from './face-request';

const SEARCH_TYPES = ['most_similar', 'blocklisted_or_approved'] as const;

/** A match as Didit reports it: never an embedding or an image. */
export function formatMatch(m: FaceMatch) {
  return {
    session_id: m.session_id,
    similarity_percentage: m.similarity,
    vendor_data: m.vendor_data,
    status: m.status,
    user_details: null,
    is_blocklisted: m.list_type === 'blocklist',
    is_allowlisted: m.list_type === 'allowlist',
    source: m.source === 'list_entry' ? 'list_entry' : 'session',
    list_uuid: m.list_uuid,
    entry_uuid: m.entry_uuid,
    created_at: m.created_at,
  };
}

export async function faceSearchRoutes(app: FastifyInstance, deps: FaceRouteDeps): Promise<void> {
  app.post('/v3/face-search/', async (request, reply) => {
    const form = await readFaceRequest(request, ['user_image']);
    const { requestId, vendorData } = form;
    const searchType = form.fields.search_type || 'most_similar';
    if (!(SEARCH_TYPES as readonly string[]).includes(searchType))
      throw new CodedError('INVALID_ARGUMENT', `search_type must be one of ${SEARCH_TYPES.join(', ')}.`);
    const user = await describe(deps, form.images.user_image);
    const created_at = new Date(deps.now()).toISOString();
    if (!user) {
      return reply.send({
        request_id: requestId,
        face_search: {
          status: 'Declined',
          total_matches: 0,
          matches: [],
          user_image: imageBlock(null),
          warnings: [warning('NO_FACE_DETECTED', 'error', 'No face detected', 'No face was found in user_image.')],
        },
        vendor_data: vendorData,
        metadata: null,
        created_at,
      });
    }
    const screening = await screenFace(deps.faces, user.embedding, { vendorData });
    let matches = await deps.faces.search(user.embedding, {
      limit: searchType === 'most_similar' ? MAX_FACE_SEARCH_MATCHES : SCREENING_CANDIDATES,
      minScore: 1,
    });
    if (searchType === 'blocklisted_or_approved') {
      matches = matches
        .filter((m) => m.list_type === 'blocklist' || m.list_type === 'allowlist' || m.status === 'Approved')
        .sort((a, b) => Number(b.list_type === 'blocklist') - Number(a.list_type === 'blocklist') || b.similarity - a.similarity)
        .slice(0, MAX_FACE_SEARCH_MATCHES);
    }
    const blocklisted = screening.warnings.some((w) => w === 'FACE_IN_BLOCKLIST' || w === 'POSSIBLE_FACE_IN_BLOCKLIST');
    const status = blocklisted ? 'Declined' : 'Approved';
    await saveRequestFace(deps, form, { status, searchable: false, embedding: user.embedding });
    return reply.send({
      request_id: requestId,
      face_search: {
        status,
        total_matches: matches.length,
        matches: matches.map(formatMatch),
        user_image: imageBlock(user),
        warnings: formatWarnings(screening.warnings),
      },
      vendor_data: vendorData,
      metadata: null,
      created_at,
    });
  });
}
