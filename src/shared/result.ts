// The result of one liveness check, with the brief's fields. Stored, synced and shown as it is.
import { z } from 'zod';
import { CHALLENGES, FEEDBACK_CODES, LIVENESS_MODES, STATUSES, WARNINGS } from './catalogue';

export const flashStepSchema = z.object({
  /** Emitted colour, 0-255 RGB. */
  rgb: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]),
  durationMs: z.number().int().positive(),
});
export type FlashStep = z.infer<typeof flashStepSchema>;

export const flashSequenceSchema = z.object({
  seed: z.string(),
  steps: z.array(flashStepSchema).min(1),
});
export type FlashSequence = z.infer<typeof flashSequenceSchema>;

export const referenceImageSchema = z.object({
  /** JPEG bytes of the chosen frame (kept encrypted at rest by the store). */
  mime: z.literal('image/jpeg'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Index of the frame in the session. */
  frameIndex: z.number().int().min(0),
});

export const livenessResultSchema = z.object({
  session_id: z.string().min(1),
  created_at: z.string(),
  liveness_mode: z.enum(LIVENESS_MODES),
  liveness_score: z.number().min(0).max(100),
  liveness_passed: z.boolean(),
  liveness_threshold: z.number().int().min(0).max(100),
  challenges_completed: z.array(z.enum(CHALLENGES)),
  challenge_sequence: z.array(z.enum(CHALLENGES)),
  flash_sequence: flashSequenceSchema.nullable(),
  frames_captured: z.number().int().min(0),
  pose_variation_score: z.number().min(0).max(100).nullable(),
  expression_variation_score: z.number().min(0).max(100).nullable(),
  passive_score: z.number().min(0).max(100).nullable(),
  flash_score: z.number().min(0).max(100).nullable(),
  planar_score: z.number().min(0).max(100).nullable(),
  status: z.enum(STATUSES),
  warnings: z.array(z.enum(WARNINGS)),
  feedback_codes: z.array(z.enum(FEEDBACK_CODES)),
  attempts_used: z.number().int().min(0),
  max_attempts: z.number().int().min(1).max(3),
  face_quality: z.number().min(0).max(100).nullable(),
  face_luminance: z.number().min(0).max(100).nullable(),
  reference_image: referenceImageSchema.nullable(),
  model_versions: z.record(z.string(), z.string()),
  /** Optional (liveness session): the person may try again after fixing feedback_codes (status 'In Progress'). */
  retry_allowed: z.boolean().optional(),
  /** Optional: the human sentence for each feedback code, in the same order. */
  feedback_messages: z.array(z.string()).optional(),
  /** Optional: what happened to each asked challenge, in the asked order. */
  challenge_outcomes: z
    .array(
      z.object({
        challenge: z.enum(CHALLENGES),
        completed: z.boolean(),
        reason: z.enum(['completed', 'timeout', 'wrong_action', 'not_reached']),
        amplitude: z.number(),
        credit: z.number().min(0).max(100),
        peakFrameIndex: z.number().int().min(0).nullable(),
      }),
    )
    .optional(),
  /** Optional: the components that made liveness_score (the minimum of them) and audit figures, by name. */
  score_details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
});
export type LivenessResult = z.infer<typeof livenessResultSchema>;
