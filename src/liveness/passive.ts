// Passive (single-frame) decision: the brief's standalone passive response body from one FrameAnalysis. PURE.
import type { BBox, FaceAnalysis, FrameAnalysis } from '../shared/analysis';
import { DEFAULT_THRESHOLD, normalizeScore, statusForScore, type DecidedStatus } from '../shared/bands';
import type { Warning } from '../shared/catalogue';
import { tuned } from '../shared/tunables';

/** A PAD score below this is treated as a confirmed presentation attack (declines at once, never retried). */
export const ATTACK_FLOOR = tuned('padAttackFloor');

export interface PassiveEntity {
  bbox: BBox;
  confidence: number;
}

export interface PassiveResponse {
  status: DecidedStatus;
  method: 'PASSIVE';
  score: number;
  user_image: { entities: PassiveEntity[]; best_angle: 0 | 90 | 180 | 270 };
  warnings: Warning[];
  face_quality: number;
  face_luminance: number;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Clockwise rotation (0/90/180/270) that makes a face with this roll (degrees, clockwise positive) upright. */
export function bestAngleForRoll(rollDegrees: number): 0 | 90 | 180 | 270 {
  if (!Number.isFinite(rollDegrees)) return 0;
  const quarterTurns = Math.round(-rollDegrees / 90);
  return ((((quarterTurns % 4) + 4) % 4) * 90) as 0 | 90 | 180 | 270;
}

function faceArea(face: FaceAnalysis): number {
  return Math.max(0, face.bbox[2]) * Math.max(0, face.bbox[3]);
}

export function passiveDecision(analysis: FrameAnalysis, threshold: number = DEFAULT_THRESHOLD): PassiveResponse {
  const entities = analysis.faces.map((face) => ({
    bbox: face.bbox.map((v) => Math.round(v)) as BBox,
    confidence: round2(face.confidence),
  }));
  if (analysis.faces.length === 0) {
    return {
      status: 'Declined',
      method: 'PASSIVE',
      score: 0,
      user_image: { entities, best_angle: 0 },
      warnings: ['NO_FACE_DETECTED'],
      face_quality: 0,
      face_luminance: normalizeScore(analysis.frameLuminance),
    };
  }
  // The engine sorts largest first; sort again so the decision never depends on that promise.
  const subject = [...analysis.faces].sort((a, b) => faceArea(b) - faceArea(a))[0];
  const score = normalizeScore(subject.pad.score);
  const warnings: Warning[] = [];
  if (analysis.faces.length > 1) warnings.push('MULTIPLE_FACES_DETECTED');
  if (score < threshold) warnings.push('LOW_LIVENESS_SCORE');
  if (score < ATTACK_FLOOR) warnings.push('LIVENESS_FACE_ATTACK');
  return {
    status: statusForScore(score, threshold),
    method: 'PASSIVE',
    score,
    user_image: { entities, best_angle: bestAngleForRoll(subject.pose.roll) },
    warnings,
    face_quality: normalizeScore(subject.quality.score),
    face_luminance: normalizeScore(subject.quality.luminance),
  };
}
