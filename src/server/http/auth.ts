// Authentication: x-api-key for integrators, Ed25519 request signatures for kiosks (with a freshness window),
// and the hooks that apply them to each route by its `config.auth`.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importPublicKey, REQUEST_FRESHNESS_MS, requestSigningMessage, SIGNATURE_HEADERS, verifyEd25519 } from '../../node/sync/evidence';
import { CodedError } from '../../shared/errors';
import type { AuthMode, ServerContext } from '../context';

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

export const authModeOf = (request: FastifyRequest): AuthMode => request.routeOptions.config?.auth ?? 'apiKey';

/** The signed-request view of a Fastify request (the body as its raw bytes). */
export const signedRequestOf = (request: FastifyRequest): SignedRequest => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  rawBody: request.rawBody ?? null,
});

/** Resolve an x-api-key: the shared integrator key first, then the resolvers other plugins registered. */
async function principalFor(ctx: ServerContext, given: unknown) {
  if (apiKeyMatches(ctx.options.apiKey, given)) return { kind: 'integrator', name: 'api-key' } as const;
  if (typeof given !== 'string' || given.length === 0 || given.length > 500) return null;
  for (const resolve of ctx.apiKeyResolvers) {
    const principal = await resolve(given);
    if (principal) return principal;
  }
  return null;
}

/**
 * Every route declares who may call it. What needs no body is checked on arrival, before a byte of the body is
 * read, so an unauthenticated client cannot make the server buffer and parse up to the 48 MB batch limit; a
 * kiosk's signature covers the body, so it is verified once the body is in, before schema validation.
 */
export function installAuthHooks(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (request, reply) => {
    // Decisions, images and keys are personal data: never cached, never sniffed.
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    const mode = authModeOf(request);
    if (mode === 'public' || mode === 'enrol' || mode === 'plugin') return;
    if (mode === 'apiKey') {
      const principal = await principalFor(ctx, request.headers['x-api-key']);
      if (!principal) throw new CodedError('UNAUTHORIZED', 'A valid x-api-key header is required.');
      request.principal = principal;
      return;
    }
    const deviceId = deviceIdOf(request);
    if (!deviceId) throw new CodedError('UNAUTHORIZED', 'Kiosk requests must carry x-device-id, x-timestamp and x-signature.');
    assertSignedAndFresh(request, ctx.now());
    const device = await ctx.storage.getDevice(deviceId);
    if (!device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    request.device = device;
  });
  app.addHook('preValidation', async (request) => {
    if (authModeOf(request) !== 'device') return;
    if (!request.device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    verifySignedRequest(signedRequestOf(request), request.device.public_key_pem, ctx.now());
  });
}
