// Per-frame positioning guidance: is there one well-lit, centred, large-enough, uncovered face, held still? PURE.
import type { FaceAnalysis, FrameAnalysis } from '../shared/analysis';
import type { GuidanceCode, SessionPhase } from './types';

export const POSITIONING = {
  /** Face luminance 0-100 band. */
  minLuminance: 25,
  maxLuminance: 85,
  /** Face width / frame width band. */
  minFaceSize: 0.2,
  maxFaceSize: 0.7,
  minCentering: 0.6,
  maxOcclusion: 0.35,
  /** A second face counts when it is this large relative to the first and this confident. */
  otherFaceAreaRatio: 0.2,
  otherFaceConfidence: 0.5,
  /** Between consecutive frames: face centre shift (fraction of face width) and yaw/pitch change (deg) for "still". */
  stillShift: 0.06,
  stillDegrees: 4,
  /** How long a good, still face must be held before the challenges start. */
  holdMs: 500,
  /** Give up positioning after this long (the attempt ends with feedback). */
  timeoutMs: 20_000,
} as const;

const area = (f: FaceAnalysis): number => Math.max(0, f.bbox[2]) * Math.max(0, f.bbox[3]);

/** Faces that matter: the largest, plus others that are large and confident enough to be a second person. */
export function significantFaces(analysis: FrameAnalysis): FaceAnalysis[] {
  const faces = [...analysis.faces].sort((a, b) => area(b) - area(a));
  if (faces.length === 0) return [];
  const largest = area(faces[0]);
  return faces.filter(
    (f, i) => i === 0 || (f.confidence >= POSITIONING.otherFaceConfidence && area(f) >= POSITIONING.otherFaceAreaRatio * largest),
  );
}

export function isStill(face: FaceAnalysis, previous: FaceAnalysis | undefined): boolean {
  if (!previous) return false;
  const width = Math.max(1, face.bbox[2]);
  const dx = face.bbox[0] + face.bbox[2] / 2 - (previous.bbox[0] + previous.bbox[2] / 2);
  const dy = face.bbox[1] + face.bbox[3] / 2 - (previous.bbox[1] + previous.bbox[3] / 2);
  return (
    Math.hypot(dx, dy) / width <= POSITIONING.stillShift &&
    Math.abs(face.pose.yaw - previous.pose.yaw) <= POSITIONING.stillDegrees &&
    Math.abs(face.pose.pitch - previous.pose.pitch) <= POSITIONING.stillDegrees
  );
}

/** Phases where the person is asked to keep still; during challenges and the flash a moving face is expected. */
const STILL_PHASES: readonly SessionPhase[] = ['positioning', 'capturing'];

/**
 * Guidance for one frame; `previous` is the subject's face in the previous frame (for hold_still), `phase` the
 * session phase the frame arrives in (hold_still is never asked during a challenge: the challenge is a movement).
 */
export function frameGuidance(analysis: FrameAnalysis, previous: FaceAnalysis | undefined, phase: SessionPhase = 'positioning'): GuidanceCode[] {
  const faces = significantFaces(analysis);
  if (faces.length === 0) return ['no_face'];
  if (faces.length > 1) return ['one_person'];
  const face = faces[0];
  const q = face.quality;
  const out: GuidanceCode[] = [];
  if (q.luminance < POSITIONING.minLuminance) out.push('too_dark');
  else if (q.luminance > POSITIONING.maxLuminance) out.push('too_bright');
  if (q.faceSize < POSITIONING.minFaceSize) out.push('move_closer');
  else if (q.faceSize > POSITIONING.maxFaceSize) out.push('move_back');
  if (q.centering < POSITIONING.minCentering) out.push('center_face');
  if (q.occlusion > POSITIONING.maxOcclusion) out.push('uncover_face');
  if (STILL_PHASES.includes(phase) && !isStill(face, previous)) out.push('hold_still');
  return out;
}
