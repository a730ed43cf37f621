// POST /v3/age-estimation/: the largest face's estimated age (faceres's age head) with the passive liveness check
// in the same call (Didit's contract: Approved only when there is no warning).
import type { FastifyInstance } from 'fastify';
import { passiveDecision } from '../../liveness/passive';
import { formatWarnings } from '../didit';
import { booleanField, readFaceForm, scoreField, vendorDataField } from '../faces/form';
import { describe, newRequestId, warning, type FaceRouteDeps } from '../faces/deps';

/** Didit's default face_liveness_score_decline_threshold for this endpoint: a score at or below it warns. */
export const AGE_ENDPOINT_LIVENESS_DECLINE_THRESHOLD = 30;

export async function ageEstimationRoutes(app: FastifyInstance, deps: FaceRouteDeps): Promise<void> {
  app.post('/v3/age-estimation/', async (request, reply) => {
    const { images, fields } = await readFaceForm(request, ['user_image']);
    const livenessThreshold = scoreField(fields, 'face_liveness_score_decline_threshold', AGE_ENDPOINT_LIVENESS_DECLINE_THRESHOLD);
    const minimumAge = fields.age_estimation_decline_threshold ? scoreField(fields, 'age_estimation_decline_threshold', 0) : null;
    const save = booleanField(fields, 'save_api_request', true);
    const vendorData = vendorDataField(fields);
    const user = await describe(deps, images.user_image);
    const requestId = newRequestId();
    const analysis = user?.analysis ?? (await (await deps.engine()).analyzeImage(images.user_image));
    // passiveDecision's "below threshold" is ours; Didit warns at or below, so the pass mark is one above.
    const passive = passiveDecision(analysis, Math.min(100, livenessThreshold + 1));
    const age = user ? Math.round(user.age * 100) / 100 : null;
    const warnings: ReturnType<typeof warning>[] = [...formatWarnings(passive.warnings)];
    if (age === null)
      warnings.push(warning('AGE_NOT_DETECTED', 'error', 'Age not detected', 'No face was found whose age could be estimated.'));
    if (age !== null && minimumAge !== null && age < minimumAge)
      warnings.push(warning('AGE_BELOW_MINIMUM', 'error', 'Age below minimum', `The estimated age is below ${minimumAge}.`));
    const status = warnings.length === 0 ? 'Approved' : 'Declined';
    if (save && user)
      await deps.faces.enrolFace(
        { source: 'api_request', sessionId: requestId, vendorData, status, searchable: true, embedding: user.embedding },
        deps.now(),
      );
    return reply.send({
      request_id: requestId,
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
      vendor_data: vendorData,
      created_at: new Date(deps.now()).toISOString(),
    });
  });
}
