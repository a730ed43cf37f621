// Authentication: x-api-key for integrators, Ed25519 request signatures for kiosks (with a freshness window),
// and the hooks that apply them to each route by its `config.auth`.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  importPublicKey,
  NONCE_PATTERN,
  REQUEST_FRESHNESS_MS,
  requestSigningMessage,
  SIGNATURE_HEADERS,
  verifyEd25519,
} from '../../node/sync/evidence';
import { CodedError } from '../../shared/errors';
import { HttpError } from './errors';
import type { AuthMode, ServerContext } from '../context';
import { MULTIPART_BODY_LIMIT } from './limits';
import { RequestNonces } from './nonces';
import { installTextChecks } from './text';

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

export interface SignatureHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
}

/** The header checks that need no body: signed at all, with a nonce, and within the freshness window (run before the body is read). */
export function assertSignedAndFresh(req: Pick<SignedRequest, 'headers'>, nowMs: number): SignatureHeaders {
  const timestamp = header(req, SIGNATURE_HEADERS.timestamp);
  const nonce = header(req, SIGNATURE_HEADERS.nonce);
  const signature = header(req, SIGNATURE_HEADERS.signature);
  if (!timestamp || !signature)
    throw new CodedError('UNAUTHORIZED', 'The request is not signed (x-timestamp, x-nonce and x-signature are required).');
  if (!nonce || !NONCE_PATTERN.test(nonce)) {
    throw new CodedError(
      'UNAUTHORIZED',
      'The request has no valid x-nonce (16 to 64 URL-safe characters, new for every request); update the kiosk.',
    );
  }
  const at = Number(timestamp);
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(nowMs - at) > REQUEST_FRESHNESS_MS) {
    throw new CodedError('UNAUTHORIZED', "The request's x-timestamp is missing or outside the 5-minute window; check the kiosk's clock.");
  }
  return { timestamp, nonce, signature };
}

/** Verify a kiosk request against a PEM public key; throws UNAUTHORIZED with the reason. Returns the headers it checked. */
export function verifySignedRequest(req: SignedRequest, publicKeyPem: string, nowMs: number): SignatureHeaders {
  const signed = assertSignedAndFresh(req, nowMs);
  let key;
  try {
    key = importPublicKey(publicKeyPem);
  } catch {
    throw new CodedError('INVALID_PAYLOAD', 'public_key must be an Ed25519 public key in SPKI PEM.');
  }
  const message = requestSigningMessage(req.method, req.url, signed.timestamp, signed.nonce, req.rawBody ?? Buffer.alloc(0));
  if (!verifyEd25519(key, message, signed.signature)) throw new CodedError('UNAUTHORIZED', "The request's signature does not verify.");
  return signed;
}

/** A request already seen: its nonce was used by this device inside the window. */
const replayed = () =>
  new HttpError(
    401,
    'REQUEST_REPLAYED',
    'This signed request was already received (its x-nonce was used); a kiosk signs every request with a new nonce.',
  );

const noncesByContext = new WeakMap<ServerContext, RequestNonces>();

/** The nonce store of this server (one per context, so its purge timer is per instance). */
export function noncesOf(ctx: ServerContext): RequestNonces {
  let nonces = noncesByContext.get(ctx);
  if (!nonces) noncesByContext.set(ctx, (nonces = new RequestNonces(ctx.storage.db, ctx.now)));
  return nonces;
}

/** Spend a verified request's nonce for its device; a second use inside the window is refused (REQUEST_REPLAYED). */
export async function spendNonce(ctx: ServerContext, deviceId: string, signed: SignatureHeaders): Promise<void> {
  if (!(await noncesOf(ctx).use(deviceId, signed.nonce, Number(signed.timestamp)))) throw replayed();
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

/** The declared body is larger than this route takes: refused on arrival, before a byte of it is read. */
function assertDeclaredSize(request: FastifyRequest): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (!Number.isFinite(declared) || declared <= 0) return;
  const multipart = String(request.headers['content-type'] ?? '').startsWith('multipart/');
  const routeLimit = request.routeOptions.bodyLimit ?? 0;
  // Multipart bodies are streamed by @fastify/multipart, which does not apply bodyLimit: a route without its own gets the face forms' bound.
  const limit = multipart && routeLimit === request.server.initialConfig.bodyLimit ? MULTIPART_BODY_LIMIT : routeLimit;
  if (limit > 0 && declared > limit)
    throw new HttpError(413, 'FILE_TOO_LARGE', `The request body is larger than this route accepts (${Math.floor(limit / 1024)} KiB).`);
}

/**
 * Every route declares who may call it. What needs no body is checked on arrival, before a byte of the body is
 * read: the signature headers, the nonce not seen before, the device enrolled, and the declared size within the
 * route's limit; so an unauthenticated client cannot make the server buffer and parse up to the batch limit.
 * A kiosk's signature covers the body, so it is verified once the body is in,
 * before schema validation, and only then is its nonce spent.
 */
export function installAuthHooks(app: FastifyInstance, ctx: ServerContext): void {
  installTextChecks(app);
  app.addHook('onRequest', async (request, reply) => {
    // Decisions, images and keys are personal data: never cached, never sniffed.
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    const mode = authModeOf(request);
    if (mode === 'public' || mode === 'plugin') return assertDeclaredSize(request);
    if (mode === 'enrol') {
      assertSignedAndFresh(request, ctx.now());
      return assertDeclaredSize(request);
    }
    if (mode === 'apiKey') {
      const principal = await principalFor(ctx, request.headers['x-api-key']);
      if (!principal) throw new CodedError('UNAUTHORIZED', 'A valid x-api-key header is required.');
      request.principal = principal;
      return assertDeclaredSize(request);
    }
    const deviceId = deviceIdOf(request);
    if (!deviceId) throw new CodedError('UNAUTHORIZED', 'Kiosk requests must carry x-device-id, x-timestamp, x-nonce and x-signature.');
    const signed = assertSignedAndFresh(request, ctx.now());
    const device = await ctx.storage.getDevice(deviceId);
    if (!device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    if (await noncesOf(ctx).seen(device.id, signed.nonce)) throw replayed();
    request.device = device;
    assertDeclaredSize(request);
  });
  app.addHook('preValidation', async (request) => {
    if (authModeOf(request) !== 'device') return;
    if (!request.device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    const signed = verifySignedRequest(signedRequestOf(request), request.device.public_key_pem, ctx.now());
    await spendNonce(ctx, request.device.id, signed);
  });
}
