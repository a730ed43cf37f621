// Kiosk liveness configuration: the brief's fields with their defaults and limits.
import { z } from 'zod';
import { CHALLENGES, LIVENESS_MODES } from './catalogue';
import { DEFAULT_THRESHOLD } from './bands';

export const livenessConfigSchema = z.object({
  liveness_mode: z.enum(LIVENESS_MODES).default('passive'),
  liveness_threshold: z.number().int().min(0).max(100).default(DEFAULT_THRESHOLD),
  liveness_challenges: z
    .array(z.enum(CHALLENGES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'challenges must not repeat')
    .default([...CHALLENGES]),
  face_liveness_max_attempts: z.number().int().min(1).max(3).default(3),
  /** Seconds a person has for each challenge before it counts as not done. */
  challenge_timeout_s: z.number().min(2).max(30).default(8),
  /** People who ask for no flashing light get the no-flash path of equal assurance. */
  no_flash: z.boolean().default(false),
});

export type LivenessConfig = z.infer<typeof livenessConfigSchema>;
export type LivenessConfigInput = z.input<typeof livenessConfigSchema>;

export function parseLivenessConfig(input: unknown): LivenessConfig {
  return livenessConfigSchema.parse(input ?? {});
}
