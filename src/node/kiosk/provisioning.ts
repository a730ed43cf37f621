// Provisioning: what the central service issues a kiosk at enrolment (its staff credential, its workflow-signing
// key and its signed workflow), applied to the kiosk's state file. There is no other way to get a staff PIN, and a
// new provisioning is also how the central service unlocks a locked-out kiosk.
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import { livenessSettingsSchema } from '../../shared/config';
import type { SignedWorkflow } from '../../shared/workflow';
import { NO_LOCKOUT, pinnedCameraSchema, type SettingsFile } from './settings-file';
import { parseWorkflowKey, verifySignedWorkflow } from './workflow-trust';

/** The `provisioning` object of the central service's enrol response (also accepted from a file by `liveness kiosk --provision`). */
export const provisioningSchema = z
  .object({
    /** scrypt hash of the staff PIN (`scrypt$N$r$p$salt$hash`, see pin.ts); the PIN itself never travels to the kiosk. */
    staff_pin_hash: z.string().startsWith('scrypt$').max(512),
    /** True for a one-time PIN that staff must replace at first unlock. */
    pin_must_change: z.boolean().default(true),
    /** The service's Ed25519 workflow-signing public key (PEM); pinned from now on. */
    workflow_public_key: z.string().min(1).max(4096),
    /** The kiosk's signed workflow (src/shared/workflow.ts). */
    workflow: z.unknown().optional(),
    /** The camera this kiosk must use. */
    camera: pinnedCameraSchema.optional(),
  })
  .strict();
export type Provisioning = z.input<typeof provisioningSchema>;

export function applyProvisioning(settings: SettingsFile, input: unknown, deviceId?: string | null): void {
  const parsed = provisioningSchema.safeParse(input);
  if (!parsed.success) throw new CodedError('INVALID_PAYLOAD', 'The provisioning does not have the expected shape.');
  const provisioning = parsed.data;
  parseWorkflowKey(provisioning.workflow_public_key);
  const state = settings.read();
  const workflow =
    provisioning.workflow === undefined
      ? null
      : verifySignedWorkflow(provisioning.workflow, { publicKeyPem: provisioning.workflow_public_key, deviceId });
  settings.write({
    ...state,
    staffPinHash: provisioning.staff_pin_hash,
    pinMustChange: provisioning.pin_must_change,
    workflowKeyPem: provisioning.workflow_public_key,
    workflow,
    settings: workflow ? { ...state.settings, liveness: livenessOf(workflow) } : state.settings,
    camera: provisioning.camera ?? state.camera,
    // A fresh credential from the central service ends any lockout.
    lockout: NO_LOCKOUT,
  });
}

/** Applies a workflow received at sync, if it verifies against the pinned key; throws (and keeps the last good one) otherwise. */
export function applySignedWorkflow(settings: SettingsFile, envelope: unknown, deviceId?: string | null): SignedWorkflow {
  const state = settings.read();
  if (!state.workflowKeyPem)
    throw new CodedError('FORBIDDEN', 'This kiosk is not provisioned; it has no workflow-signing key to check a workflow against.');
  const workflow = verifySignedWorkflow(envelope, { publicKeyPem: state.workflowKeyPem, deviceId, current: state.workflow });
  settings.write({ ...state, workflow, settings: { ...state.settings, liveness: livenessOf(workflow) } });
  return workflow;
}

function livenessOf(workflow: SignedWorkflow) {
  return livenessSettingsSchema.parse(workflow.payload.settings);
}
