// What every route plugin of the central API is given: storage, metrics, the clock, the options and the engine.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FrameAnalysis } from '../shared/analysis';
import type { WebhookDestinations } from './destinations';
import type { Metrics } from './metrics';
import type { ServerMigration } from './schema';
import type { SigningKey } from './signing';
import type { DeviceRow, Storage, WebhookTarget } from './storage';
import type { Logger } from 'pino';
import type { Workflows } from './workflows';

/** What the passive endpoint needs from the kiosk's engine. */
export interface PassiveEngine {
  analyzeImage(bytes: Uint8Array): Promise<FrameAnalysis>;
  close?(): Promise<void>;
}

export interface ServerOptions {
  /** Structured logger (pino); default: silent. `liveness server` passes one that writes JSON lines to stdout. */
  logger?: Logger;
  /** SQLite file (the default store). */
  db?: string;
  /** postgres://… (several instances may share it). */
  databaseUrl?: string;
  /** PostgreSQL schema to use instead of public (tests use a fresh one). */
  pgSchema?: string;
  /**
   * The 32-byte key file that seals reference images at rest (AES-256-GCM). Required on PostgreSQL (every instance
   * must share it); on SQLite it defaults to `<db>.image-key`, made 0600 on the first start of an empty store.
   */
  imageKeyFile?: string;
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
  /** Plugins registered after the built-in ones (tests, embedders). */
  plugins?: readonly ServerPlugin[];
}

/** Who called an x-api-key route: the shared integrator key, or a key another module (the console) issued. */
export interface ApiPrincipal {
  kind: 'integrator' | 'user';
  /** The name recorded in audit entries and reviews when the caller does not give one. */
  name: string;
  role?: string;
}

/** Resolves an x-api-key to a principal, or null when it does not know the key. */
export type ApiKeyResolver = (key: string) => Promise<ApiPrincipal | null>;

export interface ServerContext {
  storage: Storage;
  workflows: Workflows;
  destinations: WebhookDestinations;
  /** Signs workflow envelopes and session tokens; its public key is given to kiosks at enrolment and sync. */
  signingKey: SigningKey;
  metrics: Metrics;
  now: () => number;
  options: ServerOptions;
  /** The passive engine, loaded on first use and shared by every route. */
  engine: () => Promise<PassiveEngine>;
  /** Extra x-api-key resolvers (per-user keys); the shared key is always checked first. */
  apiKeyResolvers: ApiKeyResolver[];
  /** Enrols a standalone API call's face into the face index (set by the faces plugin; absent without it). */
  enrolApiFace?: (image: Uint8Array, request: { requestId: string; vendorData: string | null; status: string }) => Promise<void>;
  /** scheme://host of the request, for links in answers. */
  baseUrl: (request: FastifyRequest) => string;
}

/**
 * A part of the server: its own tables (migrations numbered within the plugin) and/or its routes. Register one by
 * adding it to SERVER_PLUGINS in plugins.ts.
 */
export interface ServerPlugin {
  name: string;
  migrations?: readonly ServerMigration[];
  routes?: FastifyPluginAsync<ServerContext>;
}

/**
 * Who may call a route, set per route as `config: { auth }` (default apiKey): `public` anyone; `apiKey` an
 * integrator's x-api-key; `device` an enrolled kiosk's signed request; `enrol` a kiosk enrolling (the handler checks
 * proof of possession); `plugin` the route's own plugin authenticates in its own onRequest hook (the console's
 * session cookie).
 */
export type AuthMode = 'public' | 'apiKey' | 'device' | 'enrol' | 'plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    /** The raw bytes of a JSON body (kiosks sign them). */
    rawBody?: Buffer;
    /** The enrolled kiosk that signed this request (device routes). */
    device?: DeviceRow;
    /** The caller of an apiKey route. */
    principal?: ApiPrincipal;
  }
}
