// The brief's vocabulary: statuses, warnings, feedback codes and the human sentence for each.

export const STATUSES = ['Not Started', 'In Progress', 'Approved', 'In Review', 'Declined', 'Abandoned', 'Kyc Expired'] as const;
export type Status = (typeof STATUSES)[number];

export const WARNINGS = [
  'LOW_LIVENESS_SCORE',
  'NO_FACE_DETECTED',
  'LIVENESS_FACE_ATTACK',
  'MULTIPLE_FACES_DETECTED',
  'FACE_IN_BLOCKLIST',
  'POSSIBLE_FACE_IN_BLOCKLIST',
  'DUPLICATED_FACE',
  'POSSIBLE_DUPLICATED_FACE',
  /** The frames look injected (frozen, looped, no sensor noise, synthetic timing, resolution change): src/liveness/stream-integrity.ts. */
  'INJECTION_SUSPECTED',
] as const;
export type Warning = (typeof WARNINGS)[number];

/** Warnings that decline at once and are never retried. */
export const IMMEDIATE_DECLINE_WARNINGS: readonly Warning[] = ['LIVENESS_FACE_ATTACK', 'FACE_IN_BLOCKLIST', 'DUPLICATED_FACE'];

export const FEEDBACK_CODES = [
  'LOW_FACE_LUMINANCE',
  'HIGH_FACE_LUMINANCE',
  'NO_FACE_DETECTED',
  'LOW_FACE_QUALITY',
  'HIGH_FACE_OCCLUSION',
  'LOW_LIVENESS_SCORE',
  'MULTIPLE_FACES_DETECTED',
] as const;
export type FeedbackCode = (typeof FEEDBACK_CODES)[number];

/** One sentence per fixable failure, shown to the person on retry (English; the renderer translates by code). */
export const FEEDBACK_SENTENCES: Record<FeedbackCode, string> = {
  LOW_FACE_LUMINANCE: 'Move to a brighter, evenly lit place and try again.',
  HIGH_FACE_LUMINANCE: 'There is too much light on your face. Move away from direct light and try again.',
  NO_FACE_DETECTED: 'We could not see your face. Look straight at the camera, inside the oval, and try again.',
  LOW_FACE_QUALITY: 'The picture was not clear. Hold still, face the camera and try again.',
  HIGH_FACE_OCCLUSION: 'Part of your face is covered. Remove anything covering your face and try again.',
  LOW_LIVENESS_SCORE: 'We could not confirm that you are present. Face the camera directly and try again.',
  MULTIPLE_FACES_DETECTED: 'Only one person should be in front of the camera. Please try again alone.',
};

export const LIVENESS_MODES = ['passive', 'active', 'flash', 'action_flash'] as const;
export type LivenessMode = (typeof LIVENESS_MODES)[number];

export const CHALLENGES = ['head_left', 'head_right', 'smile', 'blink'] as const;
export type Challenge = (typeof CHALLENGES)[number];
