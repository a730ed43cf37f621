// POST /v3/face-match/: 1:1 comparison of user_image and ref_image, Didit's contract: score 0-100, Approved when
// strictly above face_match_score_decline_threshold (default 30). save_api_request (default true) enrols user_image.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_FACE_MATCH_DECLINE_THRESHOLD, similarityScore } from '../../shared/face-match';
import { cosineSimilarity } from '../../node/engine/face-embedding';
import { scoreField } from '../faces/form';
import { describe, imageBlock, warning, type FaceRouteDeps } from '../faces/deps';
import { readFaceRequest, saveRequestFace } from './face-request';

export async function faceMatchRoutes(app: FastifyInstance, deps: FaceRouteDeps): Promise<void> {
  app.post('/v3/face-match/', async (request, reply) => {
    const form = await readFaceRequest(request, ['user_image', 'ref_image'], (fields) =>
      scoreField(fields, 'face_match_score_decline_threshold', DEFAULT_FACE_MATCH_DECLINE_THRESHOLD),
    );
    const threshold = form.own;
    const user = await describe(deps, form.images.user_image);
    const ref = await describe(deps, form.images.ref_image);
    const warnings = [];
    let score: number | null;
    if (!user || !ref) {
      score = form.save ? null : 0;
      warnings.push(
        warning(
          'NO_REFERENCE_IMAGE',
          'error',
          'No face to compare',
          `No face was found in ${!user ? 'user_image' : 'ref_image'}, so no score could be computed.`,
        ),
      );
    } else {
      score = similarityScore(cosineSimilarity(user.embedding, ref.embedding));
      if (score <= threshold)
        warnings.push(
          warning(
            'LOW_FACE_MATCH_SIMILARITY',
            'error',
            'Low face match similarity',
            `The faces scored ${score}, at or below the decline threshold ${threshold}.`,
          ),
        );
    }
    const status = score !== null && score > threshold ? 'Approved' : 'Declined';
    if (user) await saveRequestFace(deps, form, { status, searchable: true, embedding: user.embedding });
    return reply.send({
      request_id: form.requestId,
      face_match: { status, score, user_image: imageBlock(user), ref_image: imageBlock(ref), warnings },
      vendor_data: form.vendorData,
      created_at: new Date(deps.now()).toISOString(),
    });
  });
}
