// The server's workflow-signing key (Ed25519, made once, kept in the database so every instance signs alike) and
// the two things it signs: workflow envelopes for kiosks, and session tokens (QR payloads) a kiosk can take offline.
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../node/sync/evidence';
import type { SignedWorkflow, WorkflowPayload } from '../shared/workflow';
import type { SqlDb } from './sql';

const PURPOSE = 'workflow-signing';

/** Prefix of a session token, naming its format: `lvs1.<base64url canonical JSON payload>.<base64url signature>`. */
export const SESSION_TOKEN_PREFIX = 'lvs1';

export interface SigningKey {
  keyId: string;
  publicKeyPem: string;
  sign(message: Buffer): string;
}

/** key_id: the first 16 hex characters of sha256 over the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ format: 'der', type: 'spki' })).slice(0, 16);
}

/** Load the signing key, making it on first start (two instances starting together agree on the first one stored). */
export async function loadSigningKey(db: SqlDb): Promise<SigningKey> {
  let row = await db.get<{ key_id: string; private_key_pem: string; public_key_pem: string }>(
    'SELECT key_id, private_key_pem, public_key_pem FROM server_keys WHERE purpose = $1',
    [PURPOSE],
  );
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await db.run(
      'INSERT INTO server_keys (purpose, key_id, private_key_pem, public_key_pem, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (purpose) DO NOTHING',
      [
        PURPOSE,
        keyIdOf(publicKey),
        privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        new Date().toISOString(),
      ],
    );
    row = await db.get('SELECT key_id, private_key_pem, public_key_pem FROM server_keys WHERE purpose = $1', [PURPOSE]);
  }
  const privateKey = createPrivateKey(row!.private_key_pem);
  return { keyId: row!.key_id, publicKeyPem: row!.public_key_pem, sign: (message) => sign(null, message, privateKey).toString('base64') };
}

/** The signed workflow envelope of src/shared/workflow.ts: Ed25519 over canonicalJson(payload). */
export function signWorkflow(key: SigningKey, payload: WorkflowPayload): SignedWorkflow {
  return { payload, signature: key.sign(Buffer.from(canonicalJson(payload), 'utf8')), key_id: key.keyId };
}

/** What a session token carries: enough for an offline kiosk to run the session and land its result on it. */
export interface SessionTokenPayload {
  typ: 'session';
  session_id: string;
  /** The session_id the kiosk gives its result record for this attempt. */
  attempt_id: string;
  attempt: number;
  short_code: string;
  workflow_id: string;
  workflow_version: number;
  settings: unknown;
  issued_at: string;
  expires_at: string;
  key_id: string;
}

/** `lvs1.<payload>.<signature>`, both base64url; the signature is Ed25519 over the payload's canonical JSON bytes. */
export function signSessionToken(key: SigningKey, payload: SessionTokenPayload): string {
  const bytes = Buffer.from(canonicalJson(payload), 'utf8');
  return `${SESSION_TOKEN_PREFIX}.${bytes.toString('base64url')}.${Buffer.from(key.sign(bytes), 'base64').toString('base64url')}`;
}
