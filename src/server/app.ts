// The central API: kiosks enrol and sync signed decisions; integrators read decisions, review, and check photos.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import { STATUSES } from '../shared/catalogue';
import { CodedError, type ErrorCode } from '../shared/errors';
import type { FrameAnalysis } from '../shared/analysis';
import { apiKeyMatches, assertSignedAndFresh, deviceIdOf, verifySignedRequest } from './auth';
import { formatDecision, formatListEntry } from './didit';
import { createMetrics, type Metrics } from './metrics';
import { batchSchema, MAX_IMAGE_BYTES, Storage, type DeviceRow, type WebhookTarget } from './storage';
import { startWebhookDispatcher } from './webhooks';

/** What the passive endpoint needs from the kiosk's engine. */
export interface PassiveEngine {
  analyzeImage(bytes: Uint8Array): Promise<FrameAnalysis>;
  close?(): Promise<void>;
}

export interface ServerOptions {
  /** SQLite file (the default store). */
  db?: string;
  /** postgres://… (several instances may share it). */
  databaseUrl?: string;
  /** PostgreSQL schema to use instead of public (tests use a fresh one). */
  pgSchema?: string;
  /** The integrators' key (x-api-key). */
  apiKey: string;
  /** One-time kiosk enrolment tokens. */
  enrolTokens?: readonly string[];
  webhooks?: readonly WebhookTarget[];
  webhookPollMs?: number;
  /** Override the engine (default: the kiosk's engine, loaded on the first passive check). */
  engineFactory?: () => Promise<PassiveEngine>;
  now?: () => number;
  /** Longest time a client may take to send one whole request (default 120 s). */
  requestTimeoutMs?: number;
}

export interface LivenessServer {
  app: FastifyInstance;
  storage: Storage;
  metrics: Metrics;
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Deliver due webhooks now (tests and graceful shutdown). */
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

type AuthMode = 'public' | 'apiKey' | 'device' | 'enrol';
type RawRequest = FastifyRequest & { rawBody?: Buffer };

const STATUS_FOR_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400, INVALID_PAYLOAD: 400, FILE_EMPTY: 400, FILE_TOO_LARGE: 400, UNSUPPORTED_TYPE: 400, CORRUPT_IMAGE: 400,
  UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429,
  MODEL_MISSING: 503, MODEL_INTEGRITY: 503, ENGINE_FAILURE: 503, DATABASE_LOCKED: 503,
};

/** Fastify's and @fastify/multipart's own errors, as codes a client can act on. */
const FRAMEWORK_ERRORS: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_TYPE', 'This content type is not accepted here; send application/json (or multipart/form-data for images).'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'FILE_TOO_LARGE', 'The request body is too large.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'INVALID_PAYLOAD', 'The JSON body is empty.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_PAYLOAD', 'The Content-Length does not match the body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_PAYLOAD', 'The body is not valid JSON.'],
  FST_REQ_FILE_TOO_LARGE: [400, 'FILE_TOO_LARGE', 'The image is larger than 5 MB.'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [400, 'UNSUPPORTED_TYPE', 'Send the image as multipart/form-data with the field user_image.'],
  FST_PARTS_LIMIT: [400, 'INVALID_PAYLOAD', 'The form has too many parts.'],
  FST_FILES_LIMIT: [400, 'INVALID_PAYLOAD', 'Send exactly one file, user_image.'],
  FST_FIELDS_LIMIT: [400, 'INVALID_PAYLOAD', 'The form has too many fields.'],
  FST_PROTO_VIOLATION: [400, 'INVALID_PAYLOAD', 'A form field name is not allowed.'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'INVALID_PAYLOAD', 'A form field declared as JSON is not valid JSON.'],
};

function errorReply(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).type('application/json').send({ error: { code, message }, ...extra });
}

const PASSIVE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'tiff', 'webp']);

const reviewSchema = z.object({
  decision: z.enum(['Approve', 'Decline']),
  reviewer: z.string().trim().min(1).max(200),
  note: z.string().max(2000).optional(),
});

const listSchema = z.object({
  kiosk: z.string().max(200).optional(),
  status: z.enum(STATUSES).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const enrolSchema = z.object({ token: z.string().min(1).max(500), public_key: z.string().min(1).max(2000) });

function toIsoFilter(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CodedError('INVALID_ARGUMENT', `${name} must be a date (ISO 8601, e.g. 2025-01-31 or 2025-01-31T12:00:00Z).`);
  return new Date(at).toISOString();
}

async function loadKioskEngine(): Promise<PassiveEngine> {
  // Resolved at run time so the server starts (and serves everything else) without the models.
  const module = (await import('../node/engine/index')) as { createEngine: () => Promise<PassiveEngine> };
  return module.createEngine();
}

export async function createServer(options: ServerOptions): Promise<LivenessServer> {
  if (!options.apiKey) throw new CodedError('INVALID_ARGUMENT', 'The server needs an API key for integrators (--api-key or LIVENESS_API_KEY).');
  const now = options.now ?? Date.now;
  const webhooks = options.webhooks ?? [];
  const storage = await Storage.open({ sqlitePath: options.db, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema }, webhooks);
  await storage.addEnrolTokens(options.enrolTokens ?? []);
  const metrics = createMetrics();
  // requestTimeout: Fastify's default (0) lets a client trickle a body forever and hold the connection.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, return503OnClosing: true, requestTimeout: options.requestTimeoutMs ?? 120_000 });

  // Keep the raw bytes of JSON bodies: kiosks sign them. Parsed by Fastify's own parser, which refuses
  // __proto__ / constructor.prototype keys (prototype poisoning) that a bare JSON.parse lets through.
  const secureJson = app.getDefaultJsonParser('error', 'error') as unknown as (request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    (request as RawRequest).rawBody = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, undefined);
    secureJson(request, body as Buffer, done);
  });
  await app.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12, headerPairs: 100 } });

  app.setNotFoundHandler((request, reply) => errorReply(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`));
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof CodedError) return errorReply(reply, STATUS_FOR_CODE[err.code] ?? 500, err.code, err.message);
    const known = FRAMEWORK_ERRORS[(err as { code?: string }).code ?? ''];
    if (known) return errorReply(reply, known[0], known[1], known[2]);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return errorReply(reply, status, 'INVALID_PAYLOAD', 'The request could not be read.');
    request.log.error({ err }, 'unhandled error');
    return errorReply(reply, 500, 'INTERNAL', 'An unexpected error occurred.');
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.inc({ route: request.routeOptions.url ?? 'unmatched', method: request.method, code: String(reply.statusCode) });
  });

  // Every route declares who may call it. What needs no body is checked on arrival, before a byte of the body is
  // read, so an unauthenticated client cannot make the server buffer and parse up to the 48 MB batch limit.
  const authModeOf = (request: FastifyRequest) => ((request.routeOptions.config as { auth?: AuthMode } | undefined)?.auth ?? 'apiKey') as AuthMode;
  app.addHook('onRequest', async (request, reply) => {
    // Decisions, images and keys are personal data: never cached, never sniffed.
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    const mode = authModeOf(request);
    if (mode === 'public' || mode === 'enrol') return;
    if (mode === 'apiKey') {
      if (!apiKeyMatches(options.apiKey, request.headers['x-api-key'])) throw new CodedError('UNAUTHORIZED', 'A valid x-api-key header is required.');
      return;
    }
    const deviceId = deviceIdOf(request);
    if (!deviceId) throw new CodedError('UNAUTHORIZED', 'Kiosk requests must carry x-device-id, x-timestamp and x-signature.');
    assertSignedAndFresh(request, now());
    const device = await storage.getDevice(deviceId);
    if (!device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    (request as FastifyRequest & { device?: DeviceRow }).device = device;
  });
  // The signature covers the body, so it is verified once the body is in.
  app.addHook('preHandler', async (request) => {
    if (authModeOf(request) !== 'device') return;
    const device = (request as FastifyRequest & { device?: DeviceRow }).device;
    if (!device) throw new CodedError('UNAUTHORIZED', 'This device is not enrolled; enrol it with a one-time token first.');
    verifySignedRequest({ method: request.method, url: request.url, headers: request.headers, rawBody: (request as RawRequest).rawBody ?? null }, device.public_key_pem, now());
    (request as FastifyRequest & { deviceId?: string }).deviceId = device.id;
  });

  const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

  app.get('/healthz', { config: { auth: 'public' } }, async () => {
    await storage.db.get('SELECT 1 AS ok');
    return { status: 'ok' };
  });

  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render()));

  app.post('/v1/devices/enrol', { config: { auth: 'enrol' } }, async (request, reply) => {
    const body = enrolSchema.safeParse(request.body);
    if (!body.success) throw new CodedError('INVALID_PAYLOAD', 'Enrolment needs {"token": "…", "public_key": "<Ed25519 SPKI PEM>"}.');
    // Proof of possession: the request is signed by the key being enrolled.
    verifySignedRequest({ method: request.method, url: request.url, headers: request.headers, rawBody: (request as RawRequest).rawBody ?? null }, body.data.public_key, now());
    const result = await storage.enrol(body.data.token, body.data.public_key);
    if (!result.ok) return errorReply(reply, result.code === 'INVALID_PAYLOAD' ? 400 : 401, result.code, result.message);
    return reply.code(result.created ? 201 : 200).send({ device_id: result.deviceId, enrolled: true });
  });

  app.post('/v1/decisions', { config: { auth: 'device' }, bodyLimit: 48 * 1024 * 1024 }, async (request, reply) => {
    const deviceId = (request as FastifyRequest & { deviceId: string }).deviceId;
    const parsed = batchSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CodedError('INVALID_PAYLOAD', `The batch is malformed at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}.`);
    }
    const results = await storage.ingest(deviceId, parsed.data);
    for (const result of results) metrics.decisions.inc({ outcome: result.status });
    const refused = results.find((result) => result.status === 'rejected' || result.status === 'deferred');
    if (!refused || !('code' in refused)) return reply.code(200).send({ results });
    const badInput = ['INVALID_RECORD', 'RECORD_HASH_MISMATCH', 'BAD_SIGNATURE', 'IMAGE_HASH_MISMATCH'].includes(refused.code);
    return errorReply(reply, badInput ? 400 : 409, refused.code, refused.message, { results });
  });

  const decisionRoute = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const row = await storage.getDecision(request.params.id);
    if (!row) return errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${request.params.id}.`);
    return formatDecision(row, await storage.reviewsOf(row.session_id), baseUrl(request));
  };
  app.get('/v3/session/:id/decision/', decisionRoute);
  app.get('/v3/session/:id/decision', decisionRoute);

  app.get<{ Params: { id: string } }>('/v3/session/:id/reference-image', async (request, reply) => {
    const image = await storage.getImage(request.params.id);
    if (!image) return errorReply(reply, 404, 'NOT_FOUND', `No reference image for session ${request.params.id}.`);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(image);
  });

  const listRoute = async (request: FastifyRequest) => {
    const query = listSchema.safeParse(request.query);
    if (!query.success) throw new CodedError('INVALID_ARGUMENT', `Bad filter ${query.error.issues[0]?.path.join('.')}: ${query.error.issues[0]?.message}.`);
    const { count, rows } = await storage.listDecisions({
      ...query.data,
      from: toIsoFilter(query.data.from, 'from'),
      to: toIsoFilter(query.data.to, 'to'),
    });
    return { count, results: rows.map(formatListEntry) };
  };
  app.get('/v3/sessions', listRoute);
  app.get('/v3/sessions/', listRoute);

  app.get('/v1/review', async (request) => {
    const { rows, count } = await storage.listDecisions({ status: 'In Review', limit: 500, offset: 0 });
    return { count, results: rows.map((row) => formatDecision(row, [], baseUrl(request))) };
  });

  app.post<{ Params: { session_id: string } }>('/v1/review/:session_id', async (request, reply) => {
    const body = reviewSchema.safeParse(request.body);
    if (!body.success) throw new CodedError('INVALID_PAYLOAD', 'A review needs {"decision": "Approve" | "Decline", "reviewer": "<name>"}.');
    const outcome = await storage.review(request.params.session_id, body.data.decision, body.data.reviewer, body.data.note ?? null);
    if (!outcome.ok) {
      return outcome.code === 'NOT_FOUND'
        ? errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${request.params.session_id}.`)
        : errorReply(reply, 409, 'NOT_IN_REVIEW', `Session ${request.params.session_id} is ${outcome.status}, not In Review.`);
    }
    const row = await storage.getDecision(request.params.session_id);
    return formatDecision(row!, await storage.reviewsOf(request.params.session_id), baseUrl(request));
  });

  app.get<{ Querystring: { limit?: string } }>('/v1/audit', async (request) => {
    const limit = Math.min(1000, Math.max(1, Number(request.query.limit) || 100));
    return { results: await storage.listAudit(limit) };
  });

  app.get<{ Querystring: { session_id?: string } }>('/v1/webhooks/deliveries', async (request) => ({
    results: (await storage.listWebhookDeliveries(request.query.session_id)).map(({ payload: _payload, ...rest }) => rest),
  }));

  // The standalone passive check, on the same engine as the kiosk.
  let enginePromise: Promise<PassiveEngine> | null = null;
  const engine = () => {
    enginePromise ??= (options.engineFactory ?? loadKioskEngine)().catch((err) => {
      enginePromise = null;
      throw err instanceof CodedError ? err : new CodedError('ENGINE_FAILURE', 'The liveness engine could not be loaded.', { cause: err });
    });
    return enginePromise;
  };

  app.post('/v3/passive-liveness/', async (request, reply) => {
    if (!request.isMultipart()) throw new CodedError('UNSUPPORTED_TYPE', 'Send the image as multipart/form-data with the field user_image.');
    let image: Buffer | null = null;
    let filename = '';
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'user_image' || image) {
            await part.toBuffer();
            throw new CodedError('INVALID_PAYLOAD', 'Send exactly one file, in the field user_image.');
          }
          filename = part.filename ?? '';
          image = await part.toBuffer();
        } else {
          if (part.valueTruncated || part.fieldnameTruncated) throw new CodedError('INVALID_PAYLOAD', `The form field ${part.fieldname.slice(0, 40)} is too long.`);
          fields[part.fieldname] = String(part.value);
        }
      }
    } catch (err) {
      if (err instanceof CodedError || FRAMEWORK_ERRORS[(err as { code?: string }).code ?? '']) throw err;
      // busboy's own complaints (a part cut short, a missing boundary) are bad input, not server faults.
      throw new CodedError('INVALID_PAYLOAD', 'The multipart body is malformed or cut short.', { cause: err });
    } finally {
      // Read what is left so the client always receives our answer, not a reset connection.
      if (!request.raw.readableEnded) request.raw.resume();
    }
    if (!image) throw new CodedError('INVALID_PAYLOAD', 'The form has no user_image file.');
    const extension = filename.toLowerCase().split('.').pop() ?? '';
    if (!filename.includes('.') || !PASSIVE_EXTENSIONS.has(extension)) {
      throw new CodedError('UNSUPPORTED_TYPE', 'user_image must be a jpg, jpeg, png, tiff or webp file.');
    }
    const { validateStill } = await import('../node/engine/decode');
    validateStill(image, { maxBytes: MAX_IMAGE_BYTES });
    let threshold: number | undefined;
    const rawThreshold = fields.face_liveness_score_decline_threshold ?? fields.liveness_threshold;
    if (rawThreshold !== undefined) {
      threshold = Number(rawThreshold);
      if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100) throw new CodedError('INVALID_ARGUMENT', 'The threshold must be an integer from 0 to 100.');
    }
    let analysis: FrameAnalysis;
    try {
      analysis = await (await engine()).analyzeImage(image);
    } catch (err) {
      if (err instanceof CodedError) throw err;
      throw new CodedError('ENGINE_FAILURE', 'The liveness engine failed on this image.', { cause: err });
    }
    const { passiveDecision } = await import('../liveness/passive');
    const decision = passiveDecision(analysis, threshold);
    metrics.passive.inc({ status: decision.status });
    return reply.send({ request_id: randomUUID(), ...decision, created_at: new Date(now()).toISOString() });
  });

  const dispatcher = webhooks.length > 0 ? startWebhookDispatcher({ storage, targets: webhooks, metrics, pollMs: options.webhookPollMs }) : null;
  let closed = false;
  return {
    app,
    storage,
    metrics,
    async listen(listenOptions = {}) {
      return app.listen({ port: listenOptions.port ?? 8787, host: listenOptions.host ?? '127.0.0.1' });
    },
    flushWebhooks: () => dispatcher?.flush() ?? Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher?.stop();
      await app.close();
      if (enginePromise) await (await enginePromise.catch(() => null))?.close?.();
      await storage.close();
    },
  };
}
