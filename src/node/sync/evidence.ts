// Signed, hash-chained evidence: the canonical record of one decision, its hash, its signature, and request signing.
import { createHash, createPublicKey, randomBytes, verify as verifySig, type KeyObject } from 'node:crypto';
import type { LivenessResult } from '../../shared/result';

/** prev_hash of the first record of a device. */
export const GENESIS_HASH = '0'.repeat(64);

/** What is hashed and signed for one decision. */
export interface EvidenceRecord {
  seq: number;
  session_id: string;
  result: LivenessResult;
  image_sha256: string | null;
  prev_hash: string;
}

/** A record as it travels to the server. */
export interface SignedRecord {
  idempotency_key: string;
  record: EvidenceRecord;
  /** sha256 hex of canonicalJson(record). */
  hash: string;
  /** base64 Ed25519 signature over the hash's hex text. */
  signature: string;
  /** base64 JPEG, or null once purged (the record still carries image_sha256). */
  image: string | null;
}

/** JSON with keys sorted at every level and no whitespace, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hashRecord(record: EvidenceRecord): string {
  return sha256Hex(canonicalJson(record));
}

/**
 * The two checks every reader of a stored or received record makes: does the record still hash to its stated hash,
 * and does the device's key sign that hash? Never throws: an unhashable record or an unreadable key is a failed check.
 */
export function checkSignedHash(
  record: EvidenceRecord,
  hash: string,
  signature: string,
  publicKeyPem: string | null,
): { hashMatches: boolean; signatureValid: boolean } {
  let hashMatches = false;
  try {
    hashMatches = hashRecord(record) === hash;
  } catch {
    hashMatches = false;
  }
  let signatureValid = false;
  try {
    signatureValid = publicKeyPem !== null && verifyEd25519(importPublicKey(publicKeyPem), hash, signature);
  } catch {
    signatureValid = false;
  }
  return { hashMatches, signatureValid };
}

export function idempotencyKey(sessionId: string, seq: number): string {
  return `${sessionId}:${seq}`;
}

/** Public keys travel as SPKI PEM. */
export function importPublicKey(pem: string): KeyObject {
  const key = createPublicKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 public key');
  return key;
}

export function verifyEd25519(publicKey: KeyObject, message: string, signatureB64: string): boolean {
  try {
    const signature = Buffer.from(signatureB64, 'base64');
    if (signature.length !== 64) return false;
    return verifySig(null, Buffer.from(message, 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}

/** Device fingerprint: the id a server gives a device is derived from its key, so enrolment is idempotent. */
export function deviceIdForPublicKey(pem: string): string {
  const der = importPublicKey(pem).export({ format: 'der', type: 'spki' });
  return `dev_${sha256Hex(der).slice(0, 24)}`;
}

export const SIGNATURE_HEADERS = { device: 'x-device-id', timestamp: 'x-timestamp', nonce: 'x-nonce', signature: 'x-signature' } as const;
/** A signed request older or newer than this is refused; inside it, each nonce is accepted once (replay window). */
export const REQUEST_FRESHNESS_MS = 5 * 60 * 1000;
/** A nonce is 16 to 64 URL-safe characters (the kiosk sends 16 random bytes as base64url, 22 characters). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh request nonce: 16 random bytes, base64url. */
export function newRequestNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** What a device signs for each request: method, path (with query), time, its one-time nonce and the body's hash. */
export function requestSigningMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: Uint8Array | string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${sha256Hex(body)}`;
}

/** The headers of one signed request (every kiosk request goes through here, so each gets its own nonce). */
export function signedRequestHeaders(
  sign: (message: string) => string,
  request: { method: string; path: string; body: Uint8Array | string; deviceId: string; timestampMs?: number; nonce?: string },
): Record<string, string> {
  const timestamp = String(request.timestampMs ?? Date.now());
  const nonce = request.nonce ?? newRequestNonce();
  return {
    [SIGNATURE_HEADERS.device]: request.deviceId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: sign(requestSigningMessage(request.method, request.path, timestamp, nonce, request.body)),
  };
}
