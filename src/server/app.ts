// The central API, composed: storage and migrations, the body parsers, error handling, auth hooks, then every plugin.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { CodedError } from '../shared/errors';
import type { PassiveEngine, ServerContext, ServerOptions } from './context';
import { WebhookDestinations } from './destinations';
import { installAuthHooks } from './http/auth';
import { installErrorHandling, routingErrorReply } from './http/errors';
import { JSON_BODY_LIMIT } from './http/limits';
import { createMetrics, type Metrics } from './metrics';
import { SERVER_PLUGINS } from './plugins';
import { loadSigningKey } from './signing';
import { MAX_IMAGE_BYTES, Storage } from './storage';
import { defaultImageKeyFile, ImageVault } from './image-vault';
import { RETENTION_SWEEP_MS, retentionCutoffIso } from '../shared/retention';
import { purgeExpiredPortraits } from './branch';
import { startWebhookDispatcher } from './webhooks';
import { createLogger } from '../node/logging';
import { Workflows } from './workflows';

export type { PassiveEngine, ServerContext, ServerOptions, ServerPlugin } from './context';

export interface LivenessServer {
  app: FastifyInstance;
  storage: Storage;
  metrics: Metrics;
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Erase reference images past the retention now (it also runs at start and every RETENTION_SWEEP_MS). */
  purgeExpiredImages(): Promise<number>;
  /** Deliver due webhooks now (tests and graceful shutdown). */
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

async function loadKioskEngine(): Promise<PassiveEngine> {
  // Resolved at run time so the server starts (and serves everything else) without the models.
  const module = (await import('../node/engine/index')) as { createEngine: () => Promise<PassiveEngine> };
  return module.createEngine();
}

/** The engine, loaded once on first use; a failed load is retried by the next caller. */
function lazyEngine(factory: () => Promise<PassiveEngine>) {
  let loading: Promise<PassiveEngine> | null = null;
  return {
    get: () => {
      loading ??= factory().catch((err) => {
        loading = null;
        throw err instanceof CodedError
          ? err
          : new CodedError('ENGINE_FAILURE', 'The liveness engine could not be loaded.', { cause: err });
      });
      return loading;
    },
    async close() {
      if (loading) await (await loading.catch(() => null))?.close?.();
    },
  };
}

/** Keep the raw bytes of JSON bodies (kiosks sign them), parsed by Fastify's own prototype-poisoning-safe parser. */
function installRawJsonParser(app: FastifyInstance): void {
  const secureJson = app.getDefaultJsonParser('error', 'error') as unknown as (
    request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, value?: unknown) => void,
  ) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, undefined);
    secureJson(request, body as Buffer, done);
  });
}

export async function createServer(options: ServerOptions): Promise<LivenessServer> {
  if (!options.apiKey)
    throw new CodedError('INVALID_ARGUMENT', 'The server needs an API key for integrators (--api-key or LIVENESS_API_KEY).');
  const imageKeyFile = options.imageKeyFile ?? defaultImageKeyFile(options);
  if (!imageKeyFile) {
    throw new CodedError(
      'INVALID_ARGUMENT',
      'A server on PostgreSQL needs the key that seals reference images: pass --image-key-file (env LIVENESS_IMAGE_KEY_FILE), the same file on every instance.',
    );
  }
  const plugins = [...SERVER_PLUGINS, ...(options.plugins ?? [])];
  const webhooks = options.webhooks ?? [];
  const storage = await Storage.open(
    { sqlitePath: options.db, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema },
    plugins.map((plugin) => ({ plugin: plugin.name, migrations: plugin.migrations ?? [] })),
    webhooks,
  );
  const logger: FastifyBaseLogger = options.logger ?? createLogger({ name: 'server', level: 'silent' });
  try {
    storage.imageVault = await ImageVault.open(storage.db, { keyFile: imageKeyFile, now: options.now ?? Date.now });
  } catch (err) {
    await storage.close();
    throw err;
  }
  if (storage.imageVault.createdKey)
    logger.warn(
      { imageKeyFile },
      'made a new image key file (mode 0600): back it up apart from the database; without it the stored images cannot be read',
    );
  await storage.addEnrolTokens(options.enrolTokens ?? []);
  const metrics = createMetrics();
  const engine = lazyEngine(options.engineFactory ?? loadKioskEngine);
  const ctx: ServerContext = {
    storage,
    workflows: new Workflows(storage.db),
    destinations: new WebhookDestinations(storage.db),
    signingKey: await loadSigningKey(storage.db),
    metrics,
    now: options.now ?? Date.now,
    options,
    engine: engine.get,
    apiKeyResolvers: [],
    baseUrl: (request) => `${request.protocol}://${request.host}`,
  };

  // requestTimeout: Fastify's default (0) lets a client trickle a body forever and hold the connection.
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT,
    return503OnClosing: true,
    frameworkErrors: routingErrorReply,
    requestTimeout: options.requestTimeoutMs ?? 120_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installRawJsonParser(app);
  await app.register(multipart, {
    limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12, headerPairs: 100 },
  });
  installErrorHandling(app);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, code: String(reply.statusCode) });
    metrics.requestSeconds.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  installAuthHooks(app, ctx);
  for (const plugin of plugins) if (plugin.routes) await app.register(plugin.routes, ctx);

  // Always running: destinations can be added through the API at any time.
  const dispatcher = startWebhookDispatcher({ storage, targets: webhooks, metrics, pollMs: options.webhookPollMs });
  // The retention promised on the kiosk's consent screen, applied here too: at start and every few hours.
  const purgeExpiredImages = async () => {
    const portraits = await purgeExpiredPortraits({ storage }, retentionCutoffIso((options.now ?? Date.now)()));
    return (await storage.imageVault!.purgeExpired()) + portraits;
  };
  const purgeQuietly = () => purgeExpiredImages().catch((err: Error) => logger.error({ err: err.message }, 'image retention purge failed'));
  await purgeQuietly();
  const sweeper = setInterval(() => void purgeQuietly(), RETENTION_SWEEP_MS);
  sweeper.unref();
  let closed = false;
  return {
    app,
    storage,
    metrics,
    async listen(listenOptions = {}) {
      return app.listen({ port: listenOptions.port ?? 8787, host: listenOptions.host ?? '127.0.0.1' });
    },
    purgeExpiredImages,
    flushWebhooks: () => dispatcher.flush(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      await dispatcher.stop();
      await app.close();
      await engine.close();
      await storage.close();
    },
  };
}
