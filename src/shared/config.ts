// Kiosk liveness configuration: the brief's fields with their limits, written once. The full settings, the
// partial overrides (staff patches, workflows, session requests) and the defaulted config all derive from here.
import { z } from 'zod';
import { CHALLENGES, LIVENESS_MODES } from './catalogue';
import { DEFAULT_THRESHOLD } from './bands';

/** The one 0-100 integer threshold check (settings, overrides, workflows and CLI flags use this). */
export const livenessThresholdSchema = z.number().int().min(0).max(100);

/** Every liveness field and its limits; no defaults here (see LIVENESS_DEFAULTS). */
export const livenessSettingsSchema = z.object({
  liveness_mode: z.enum(LIVENESS_MODES),
  liveness_threshold: livenessThresholdSchema,
  liveness_challenges: z
    .array(z.enum(CHALLENGES))
    .min(1)
    .max(CHALLENGES.length)
    .refine((list) => new Set(list).size === list.length, 'challenges must not repeat'),
  face_liveness_max_attempts: z.number().int().min(1).max(3),
  /** Seconds a person has for each challenge before it counts as not done. */
  challenge_timeout_s: z.number().min(2).max(30),
  /** People who ask for no flashing light get the no-flash path of equal assurance. */
  no_flash: z.boolean(),
});
export type LivenessSettings = z.infer<typeof livenessSettingsSchema>;

/** The brief's defaults. */
export const LIVENESS_DEFAULTS: LivenessSettings = {
  liveness_mode: 'passive',
  liveness_threshold: DEFAULT_THRESHOLD,
  liveness_challenges: [...CHALLENGES],
  face_liveness_max_attempts: 3,
  challenge_timeout_s: 8,
  no_flash: false,
};

/** Some fields of the settings, each checked as in the full schema; unknown fields are refused. */
export const livenessOverridesSchema = livenessSettingsSchema.partial().strict();
export type LivenessOverrides = z.infer<typeof livenessOverridesSchema>;

const field = livenessSettingsSchema.shape;
/** Any subset of the fields (unknown ones dropped), completed with the defaults; an object schema, so a
 * workflow can extend it. Each field's rules come from livenessSettingsSchema, each default from LIVENESS_DEFAULTS. */
export const livenessConfigSchema = z.object({
  liveness_mode: field.liveness_mode.default(LIVENESS_DEFAULTS.liveness_mode),
  liveness_threshold: field.liveness_threshold.default(LIVENESS_DEFAULTS.liveness_threshold),
  // A fresh array each time: a caller that edits its config must not edit the defaults.
  liveness_challenges: field.liveness_challenges.default(() => [...LIVENESS_DEFAULTS.liveness_challenges]),
  face_liveness_max_attempts: field.face_liveness_max_attempts.default(LIVENESS_DEFAULTS.face_liveness_max_attempts),
  challenge_timeout_s: field.challenge_timeout_s.default(LIVENESS_DEFAULTS.challenge_timeout_s),
  no_flash: field.no_flash.default(LIVENESS_DEFAULTS.no_flash),
});

export type LivenessConfig = z.output<typeof livenessConfigSchema>;
export type LivenessConfigInput = z.input<typeof livenessConfigSchema>;

export function parseLivenessConfig(input: unknown): LivenessConfig {
  return livenessConfigSchema.parse(input ?? {});
}
