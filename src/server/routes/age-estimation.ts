// POST /v3/age-estimation/: the largest face's estimated age (faceres's age head) with the passive liveness check
// in the same call (Didit's contract: Approved only when there is no warning).
import type { FastifyInstance } from 'fastify';
import { passiveDecision } from '../../liveness/passive';
import { formatWarnings } from '../didit';
import { scoreField } from '../faces/form';
import { describe, warning, type FaceRouteDeps } from '../faces/deps';
import { readFaceRequest, saveRequestFace } from './face-request';

/** Didit's default face_liveness_score_decline_threshold for this endpoint: a score at or below it warns. */
export const AGE_ENDPOINT_LIVENESS_DECLINE_THRESHOLD = 30;

export async function ageEstimationRoutes(app: FastifyInstance, deps: FaceRouteDeps): Promise<void> {
  app.post('/v3/age-estimation/', async (request, reply) => {
    const form = await readFaceRequest(request, ['user_image'], (fields) => ({
      livenessThreshold: scoreField(fields, 'face_liveness_score_decline_threshold', AGE_ENDPOINT_LIVENESS_DECLINE_THRESHOLD),
      minimumAge: fields.age_estimation_decline_threshold ? scoreField(fields, 'age_estimation_decline_threshold', 0) : null,
    }));
    const { livenessThreshold, minimumAge } = form.own;
    const user = await describe(deps, form.images.user_image);
    const analysis = user?.analysis ?? (await (await deps.engine()).analyzeImage(form.images.user_image));
    // passiveDecision's "below threshold" is ours; Didit warns at or below, so the pass mark is one above.
    const passive = passiveDecision(analysis, Math.min(100, livenessThreshold + 1));
    const age = user ? Math.round(user.age * 100) / 100 : null;
    const warnings: ReturnType<typeof warning>[] = [...formatWarnings(passive.warnings)];
    if (age === null)
      warnings.push(warning('AGE_NOT_DETECTED', 'error', 'Age not detected', 'No face was found whose age could be estimated.'));
    if (age !== null && minimumAge !== null && age < minimumAge)
      warnings.push(warning('AGE_BELOW_MINIMUM', 'error', 'Age below minimum', `The estimated age is below ${minimumAge}.`));
    const status = warnings.length === 0 ? 'Approved' : 'Declined';
    if (user) await saveRequestFace(deps, form, { status, searchable: true, embedding: user.embedding });
    return reply.send({
      request_id: form.requestId,
      liveness: {
        status,
        method: 'PASSIVE',
        score: passive.score,
        age_estimation: age,
        user_image: passive.user_image,
        face_quality: passive.face_quality,
        face_luminance: passive.face_luminance,
        warnings,
      },
      vendor_data: form.vendorData,
      created_at: new Date(deps.now()).toISOString(),
    });
  });
}
