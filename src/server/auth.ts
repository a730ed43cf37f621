// Authentication: x-api-key for integrators, Ed25519 request signatures for kiosks (with a freshness window).
import { timingSafeEqual, createHash } from 'node:crypto';
import { importPublicKey, REQUEST_FRESHNESS_MS, requestSigningMessage, SIGNATURE_HEADERS, verifyEd25519 } from '../node/sync/evidence';
import { CodedError } from '../shared/errors';

export function apiKeyMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | null;
}

const header = (req: Pick<SignedRequest, 'headers'>, name: string): string | null => {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
};

/** The header checks that need no body: signed at all, and within the freshness window (run before the body is read). */
export function assertSignedAndFresh(req: Pick<SignedRequest, 'headers'>, nowMs: number): { timestamp: string; signature: string } {
  const timestamp = header(req, SIGNATURE_HEADERS.timestamp);
  const signature = header(req, SIGNATURE_HEADERS.signature);
  if (!timestamp || !signature) throw new CodedError('UNAUTHORIZED', 'The request is not signed (x-timestamp and x-signature are required).');
  const at = Number(timestamp);
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(nowMs - at) > REQUEST_FRESHNESS_MS) {
    throw new CodedError('UNAUTHORIZED', "The request's x-timestamp is missing or outside the 5-minute window; check the kiosk's clock.");
  }
  return { timestamp, signature };
}

/** Verify a kiosk request against a PEM public key; throws UNAUTHORIZED with the reason. */
export function verifySignedRequest(req: SignedRequest, publicKeyPem: string, nowMs: number): void {
  const { timestamp, signature } = assertSignedAndFresh(req, nowMs);
  let key;
  try {
    key = importPublicKey(publicKeyPem);
  } catch {
    throw new CodedError('INVALID_PAYLOAD', 'public_key must be an Ed25519 public key in SPKI PEM.');
  }
  const message = requestSigningMessage(req.method, req.url, timestamp, req.rawBody ?? Buffer.alloc(0));
  if (!verifyEd25519(key, message, signature)) throw new CodedError('UNAUTHORIZED', "The request's signature does not verify.");
}

export function deviceIdOf(req: Pick<SignedRequest, 'headers'>): string | null {
  return header(req, SIGNATURE_HEADERS.device);
}
