// A workflow: the liveness settings and the face checks a branch's sessions run, and the signed envelope that
// carries it to kiosks. PURE (zod only): the server signs, the kiosk verifies, both parse with these schemas.
import { z } from 'zod';
import { livenessConfigSchema } from './config';

const score = z.number().int().min(0).max(100);

/** A 0-100 similarity check a workflow can turn on; the threshold has no default, the admin sets it with the check. */
const similarityCheck = z.object({
  enabled: z.boolean(),
  /** face_match: similarity (0-100) below which the session is declined. face_search: at or above which it is a hit. */
  threshold: score,
});

export const ageEstimationCheck = z.object({
  enabled: z.boolean(),
  /** Youngest estimated age (years) that passes. */
  min_age: z.number().int().min(0).max(120),
});

/**
 * Everything a workflow sets: the kiosk's liveness settings (the same schema the kiosk's own config uses, defaults
 * included) plus the face checks. A check left out is off.
 */
export const workflowSettingsSchema = livenessConfigSchema.extend({
  /** 1:1 match of the live face against the session's portrait_image. */
  face_match: similarityCheck.optional(),
  /** 1:n search against the face index: blocklist entries and faces already verified in other sessions. */
  face_search: similarityCheck.optional(),
  age_estimation: ageEstimationCheck.optional(),
});
export type WorkflowSettings = z.infer<typeof workflowSettingsSchema>;
export type WorkflowSettingsInput = z.input<typeof workflowSettingsSchema>;

/** What the server signs for one kiosk: a workflow version, when it was issued, and (optionally) for which device. */
export const workflowPayloadSchema = z.object({
  workflow_id: z.string().min(1).max(100),
  /** Increases on every edit of the workflow; a kiosk never accepts a lower version than the one it holds. */
  version: z.number().int().min(1),
  settings: workflowSettingsSchema,
  /** ISO 8601. */
  issued_at: z.string().datetime({ offset: true }),
  /** The kiosk it was issued to; absent for an envelope any kiosk of the fleet may take. */
  device_id: z.string().min(1).max(200).optional(),
});
export type WorkflowPayload = z.infer<typeof workflowPayloadSchema>;

/**
 * The signed envelope: `signature` is base64 Ed25519 over the canonical JSON of `payload` (keys sorted at every
 * level, no whitespace: `canonicalJson` in src/node/sync/evidence.ts) with the server's workflow-signing key, named
 * by `key_id` (the first 16 hex characters of the sha256 of the public key's SPKI DER).
 */
export const signedWorkflowSchema = z.object({
  payload: workflowPayloadSchema,
  signature: z.string().min(1).max(200),
  key_id: z.string().min(1).max(100),
});
export type SignedWorkflow = z.infer<typeof signedWorkflowSchema>;
