// Verifies a signed workflow (src/shared/workflow.ts) against the central service's key pinned at provisioning:
// Ed25519 over the canonical JSON of the payload, the key id, the device it was issued to, and no rollback to an
// older version. The kiosk applies only what verifies; the last good workflow stays in force offline.
import { verify, type KeyObject } from 'node:crypto';
import { CodedError } from '../../shared/errors';
import { signedWorkflowSchema, type SignedWorkflow } from '../../shared/workflow';
import { canonicalJson } from '../sync/evidence';
import { publicKeyId, readPemKey } from '../keys';

/** The key_id the server puts in the envelope (src/server/signing.ts keyIdOf computes the same). */
export const workflowKeyId = publicKeyId;

export function parseWorkflowKey(publicKeyPem: string): KeyObject {
  return readPemKey(publicKeyPem, {
    half: 'public',
    algorithm: 'ed25519',
    notPem: 'The workflow-signing key is not a valid public key (PEM).',
    wrongAlgorithm: 'The workflow-signing key must be an Ed25519 key.',
  });
}

export interface WorkflowCheck {
  /** The pinned key (PEM). */
  publicKeyPem: string;
  /** This kiosk's device id, when it has one: an envelope issued to another device is refused. */
  deviceId?: string | null;
  /** The workflow in force; a lower version of the same workflow is a rollback and is refused. */
  current?: SignedWorkflow | null;
}

/** The envelope, parsed and verified; throws a coded error saying why it was refused. */
export function verifySignedWorkflow(envelope: unknown, check: WorkflowCheck): SignedWorkflow {
  const parsed = signedWorkflowSchema.safeParse(envelope);
  if (!parsed.success) throw new CodedError('INVALID_PAYLOAD', 'The signed workflow does not have the expected shape.');
  const workflow = parsed.data;
  const key = parseWorkflowKey(check.publicKeyPem);
  if (workflow.key_id !== workflowKeyId(key)) {
    throw new CodedError('FORBIDDEN', 'The workflow was signed with a key this kiosk was not provisioned with.');
  }
  const signature = Buffer.from(workflow.signature, 'base64');
  // Verified over the envelope as received (not the parsed copy), so a field the schema would drop cannot ride along.
  const payload = (envelope as { payload: unknown }).payload;
  if (signature.length !== 64 || !verify(null, Buffer.from(canonicalJson(payload)), key, signature)) {
    throw new CodedError('FORBIDDEN', 'The workflow signature does not verify; it was not applied.');
  }
  if (workflow.payload.device_id !== undefined && check.deviceId && workflow.payload.device_id !== check.deviceId) {
    throw new CodedError('FORBIDDEN', 'The workflow was issued to another kiosk.');
  }
  const current = check.current?.payload;
  if (current && current.workflow_id === workflow.payload.workflow_id && workflow.payload.version < current.version) {
    throw new CodedError('CONFLICT', `Workflow version ${workflow.payload.version} is older than the one in force (${current.version}).`);
  }
  return workflow;
}
