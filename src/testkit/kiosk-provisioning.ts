// Test support: what a central service would issue a kiosk at enrolment, made locally (a fresh Ed25519
// workflow-signing key, a signed workflow, the scrypt hash of a chosen staff PIN).
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseLivenessConfig, type LivenessConfigInput } from '../shared/config';
import type { SignedWorkflow, WorkflowPayload } from '../shared/workflow';
import { hashPin } from '../node/kiosk/pin';
import { workflowKeyId } from '../node/kiosk/workflow-trust';
import { canonicalJson } from '../node/sync/evidence';
import type { Provisioning } from '../node/kiosk/provisioning';

export interface TestSigner {
  publicKeyPem: string;
  privateKey: KeyObject;
  sign(payload: Omit<WorkflowPayload, 'settings'> & { settings: LivenessConfigInput }): SignedWorkflow;
}

export function makeWorkflowSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = workflowKeyId(publicKey);
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
    sign(payload) {
      const full = { ...payload, settings: parseLivenessConfig(payload.settings) };
      return { payload: full, signature: sign(null, Buffer.from(canonicalJson(full)), privateKey).toString('base64'), key_id: keyId };
    },
  };
}

export async function makeProvisioning(
  pin: string,
  options: { signer?: TestSigner; liveness?: LivenessConfigInput; version?: number; pinMustChange?: boolean } = {},
): Promise<{ provisioning: Provisioning; signer: TestSigner }> {
  const signer = options.signer ?? makeWorkflowSigner();
  const workflow = signer.sign({
    workflow_id: 'branch-default',
    version: options.version ?? 1,
    settings: options.liveness ?? {},
    issued_at: new Date().toISOString(),
  });
  return {
    signer,
    provisioning: {
      staff_pin_hash: await hashPin(pin),
      pin_must_change: options.pinMustChange ?? false,
      workflow_public_key: signer.publicKeyPem,
      workflow,
    },
  };
}
