// Turn a `liveness check` line into a stored decision: the passive response as a LivenessResult plus a JPEG reference.
import sharp from 'sharp';
import type { PassiveResponse } from '../../liveness/passive';
import { livenessResultSchema, type LivenessResult } from '../../shared/result';
import type { DecisionStore, RecordedDecision } from './store';

/** The reference image as a bounded JPEG (the store keeps JPEG only, encrypted). */
export async function referenceJpeg(bytes: Uint8Array): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes, { limitInputPixels: 50_000_000 })
    .rotate()
    .resize({ width: 640, height: 640, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

export function passiveToResult(
  sessionId: string,
  passive: PassiveResponse,
  options: {
    threshold: number;
    modelVersions: Record<string, string>;
    image: { width: number; height: number } | null;
    createdAt?: string;
  },
): LivenessResult {
  return livenessResultSchema.parse({
    session_id: sessionId,
    created_at: options.createdAt ?? new Date().toISOString(),
    liveness_mode: 'passive',
    liveness_score: passive.score,
    liveness_passed: passive.score >= options.threshold,
    liveness_threshold: options.threshold,
    challenges_completed: [],
    challenge_sequence: [],
    flash_sequence: null,
    frames_captured: 1,
    pose_variation_score: null,
    expression_variation_score: null,
    passive_score: passive.score,
    flash_score: null,
    planar_score: null,
    status: passive.status,
    warnings: passive.warnings,
    feedback_codes: [],
    attempts_used: 1,
    max_attempts: 1,
    face_quality: passive.face_quality,
    face_luminance: passive.face_luminance,
    reference_image: options.image ? { mime: 'image/jpeg', width: options.image.width, height: options.image.height, frameIndex: 0 } : null,
    model_versions: options.modelVersions,
  });
}

/** Record one checked file: a passive response (with its source bytes) or a full LivenessResult from a clip. */
export async function recordCheckedFile(
  store: DecisionStore,
  line: { request_id: string; liveness: unknown },
  source: { bytes: Uint8Array | null; threshold: number; modelVersions: Record<string, string> },
): Promise<RecordedDecision> {
  const asResult = livenessResultSchema.safeParse(line.liveness);
  if (asResult.success) return store.recordDecision(asResult.data, null);
  const reference = source.bytes ? await referenceJpeg(source.bytes).catch(() => null) : null;
  const result = passiveToResult(line.request_id, line.liveness as PassiveResponse, {
    threshold: source.threshold,
    modelVersions: source.modelVersions,
    image: reference ? { width: reference.width, height: reference.height } : null,
  });
  return store.recordDecision(result, reference?.jpeg ?? null);
}
