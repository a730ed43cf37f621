// The business console's HTTP side: /console (the built React app) and /console/api (JSON, session cookie + CSRF).
// A server plugin (one line in plugins.ts); its routes authenticate themselves (auth 'plugin'), and it lends the
// API's x-api-key check a resolver for the per-user keys it issues.
import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyContextConfig, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CHALLENGES, LIVENESS_MODES, STATUSES } from '../../shared/catalogue';
import { CodedError } from '../../shared/errors';
import type { ServerContext, ServerPlugin } from '../context';
import { dateQueryField, isoDateBound, pageQueryFields } from '../http/list-query';
import { consoleDir } from './build';
import { toCsv } from './csv';
import { REVIEW_ACTIONS, storageConsoleData } from './data';
import { CONSOLE_MIGRATIONS } from './schema';
import { consoleSecurityHeaders, registerConsoleStatic } from './static';
import { ConsoleStore, ROLES, roleAtLeast, type Actor, type ConsoleUser, type Role } from './store';
import { consoleDestinations, consoleWorkflows, WORKFLOW_CHECKS } from './workflows';

/** Login attempts one client address may make per window (account lockout in the store covers slow guessing). */
export const LOGIN_RATE_LIMIT = { max: 10, timeWindow: 60_000 };
/** Rows one CSV export may hold; a bigger export is narrowed with the filters. */
export const CSV_EXPORT_MAX_ROWS = 10_000;
export const SESSION_COOKIE = 'lk_console_session';
export const CSRF_HEADER = 'x-csrf-token';

type ConsoleRequest = FastifyRequest & { consoleUser?: ConsoleUser; consoleCsrf?: string };

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const loginSchema = z.object({ username: z.string().max(200), password: z.string().max(1000) });
const sessionQuery = z.object({
  status: z
    .enum([...STATUSES, 'Resubmitted'])
    .optional()
    .or(z.literal('').transform(() => undefined)),
  kiosk: z.string().max(200).optional(),
  from: dateQueryField,
  to: dateQueryField,
  q: z.string().max(200).optional(),
  ...pageQueryFields,
});
const reviewSchema = z.object({ action: z.enum(REVIEW_ACTIONS), comment: z.string().trim().max(2000).optional() });
const workflowSchema = z.object({
  name: z.string().max(50),
  liveness_mode: z.enum(LIVENESS_MODES),
  liveness_threshold: z.number().int().min(0).max(100),
  max_attempts: z.number().int().min(1).max(3),
  challenges: z.array(z.enum(CHALLENGES)).max(CHALLENGES.length),
  checks: z.array(z.enum(WORKFLOW_CHECKS)).max(WORKFLOW_CHECKS.length),
  is_default: z.boolean().default(false),
});
const webhookSchema = z.object({ label: z.string().trim().min(1).max(100), url: z.string().max(2000) });
const webhookPatchSchema = z.object({ enabled: z.boolean() });
const apiKeySchema = z.object({ label: z.string().max(100) });
const userSchema = z.object({ username: z.string().max(64), password: z.string().max(1000), role: z.enum(ROLES) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CodedError('INVALID_ARGUMENT', `${what}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`);
  }
  return result.data;
}

function sameSecret(a: string, b: unknown): boolean {
  if (typeof b !== 'string' || b.length !== a.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The API's auth hook leaves console routes to the console ('plugin'); its own hook checks the session and this role. */
export function consoleRoute(role: Role | null, extra: Record<string, unknown> = {}): FastifyContextConfig {
  return { auth: 'plugin', ...(role ? { consoleRole: role } : {}), ...extra };
}

const codedReply = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).send({ error: { code, message } });

export const consoleRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  const store = new ConsoleStore(ctx.storage.db, ctx.now);
  const data = storageConsoleData({ storage: ctx.storage, signingKey: ctx.signingKey, now: ctx.now }, ctx.workflows);
  // The API's own workflows and destinations: what /v3/workflows/ and /v3/webhook/destinations/ read and write.
  const workflows = consoleWorkflows(ctx.workflows, store);
  const destinations = consoleDestinations(ctx.destinations, store);
  // Integrators' per-user keys: the API checks its shared key first, then asks here; every use is audited.
  ctx.apiKeyResolvers.push(async (key) => {
    const principal = await store.resolveApiKey(key);
    if (!principal) return null;
    await store.recordApiKeyUse(principal);
    return { kind: 'user', name: principal.username, role: principal.role };
  });
  if (!app.hasReplyDecorator('setCookie')) await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new CodedError('RATE_LIMITED', 'Too many sign-in attempts from this address; wait a minute and try again.'),
  });

  registerConsoleStatic(app, consoleDir());

  const actorOf = (request: ConsoleRequest): Actor => ({ type: 'user', name: request.consoleUser!.username, ip: request.ip });
  const secure = (request: FastifyRequest) => request.protocol === 'https';

  // Every /console/api route but login needs a live session; every state-changing one its CSRF token too.
  app.addHook('onRequest', async (request: ConsoleRequest, reply) => {
    if (!request.url.startsWith('/console/api/')) return;
    consoleSecurityHeaders(reply);
    const needed = (request.routeOptions.config as { consoleRole?: Role } | undefined)?.consoleRole;
    if (!needed) return;
    const session = await store.session(request.cookies?.[SESSION_COOKIE] ?? '');
    if (!session) return codedReply(reply, 401, 'UNAUTHORIZED', 'Sign in to the console first (your session may have expired).');
    if (STATE_CHANGING.has(request.method) && !sameSecret(session.csrfToken, request.headers[CSRF_HEADER])) {
      return codedReply(
        reply,
        403,
        'CSRF_TOKEN_INVALID',
        'This request lacks the page’s anti-forgery token; reload the console and try again.',
      );
    }
    if (!roleAtLeast(session.user.role, needed)) {
      return codedReply(reply, 403, 'FORBIDDEN', `This needs the ${needed} role; you are ${session.user.role}.`);
    }
    request.consoleUser = session.user;
    request.consoleCsrf = session.csrfToken;
  });

  const viewer = { config: consoleRoute('viewer') };
  const reviewer = { config: consoleRoute('reviewer') };
  const admin = { config: consoleRoute('admin') };

  app.post('/console/api/login', { config: consoleRoute(null, { rateLimit: LOGIN_RATE_LIMIT }) }, async (request, reply) => {
    // JSON only: a cross-site HTML form cannot send it, so a login CSRF would need CORS, which we never grant.
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new CodedError('UNSUPPORTED_TYPE', 'Sign in with a JSON body {"username", "password"}.');
    }
    const body = parse(loginSchema, request.body, 'Sign-in');
    const outcome = await store.login(body.username, body.password, request.ip);
    if (!outcome.ok) {
      return outcome.reason === 'locked'
        ? codedReply(reply, 429, 'ACCOUNT_LOCKED', 'Too many wrong passwords for this account; it is locked for 15 minutes.')
        : codedReply(reply, 401, 'LOGIN_FAILED', 'The username or password is wrong.');
    }
    reply.setCookie(SESSION_COOKIE, outcome.token, { path: '/console', httpOnly: true, sameSite: 'strict', secure: secure(request) });
    return { user: { username: outcome.user.username, role: outcome.user.role }, csrf_token: outcome.csrfToken };
  });

  app.post('/console/api/logout', viewer, async (request: ConsoleRequest, reply) => {
    await store.logout(request.cookies[SESSION_COOKIE] ?? '', actorOf(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/console', httpOnly: true, sameSite: 'strict', secure: secure(request) });
    return { ok: true };
  });

  // "Who am I": answers (without error) whether a session exists, so the app can show the sign-in page.
  app.get('/console/api/me', { config: consoleRoute(null) }, async (request) => {
    const session = await store.session(request.cookies?.[SESSION_COOKIE] ?? '');
    return session
      ? { user: { username: session.user.username, role: session.user.role }, csrf_token: session.csrfToken }
      : { user: null, csrf_token: null };
  });

  // --- sessions ---

  const sessionFilters = (query: unknown, limit?: number) => {
    const parsed = parse(sessionQuery, query, 'Filters');
    return {
      status: parsed.status || undefined,
      kiosk: parsed.kiosk || undefined,
      from: isoDateBound(parsed.from, 'from', '2025-01-31'),
      to: isoDateBound(parsed.to, 'to', '2025-01-31'),
      search: parsed.q?.trim() || undefined,
      limit: limit ?? parsed.limit,
      offset: limit ? 0 : parsed.offset,
    };
  };

  app.get('/console/api/sessions', viewer, async (request) => data.listSessions(sessionFilters(request.query)));

  app.get('/console/api/sessions.csv', viewer, async (request: ConsoleRequest, reply) => {
    const filters = sessionFilters(request.query, CSV_EXPORT_MAX_ROWS);
    const { results } = await data.listSessions(filters);
    await store.audit(actorOf(request), 'sessions.export', null, {
      rows: results.length,
      filters: { ...filters, limit: undefined, offset: undefined },
    });
    const header = [
      'session_id',
      'session_number',
      'status',
      'decided_status',
      'kiosk',
      'liveness_mode',
      'score',
      'warnings',
      'created_at',
      'received_at',
    ];
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="sessions.csv"')
      .send(toCsv(header, results as unknown as Array<Record<string, unknown>>));
  });

  app.get('/console/api/review-queue', viewer, async () => data.listSessions({ status: 'In Review', limit: 500, offset: 0 }));

  app.get<{ Params: { id: string } }>('/console/api/sessions/:id', viewer, async (request) => {
    const detail = await data.getSession(request.params.id);
    if (!detail) throw new CodedError('NOT_FOUND', `No session ${request.params.id}.`);
    return detail;
  });

  app.get<{ Params: { id: string } }>(
    '/console/api/sessions/:id/image',
    viewer,
    async (request: ConsoleRequest & { params: { id: string } }, reply) => {
      const image = await data.image(request.params.id);
      if (!image) throw new CodedError('NOT_FOUND', `No reference image for session ${request.params.id}.`);
      // Looking at a face is a human action on personal data: it is audited.
      await store.audit(actorOf(request), 'session.view_image', `session:${request.params.id}`);
      return reply.type('image/jpeg').send(image);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/console/api/sessions/:id/review',
    reviewer,
    async (request: ConsoleRequest & { params: { id: string } }) => {
      const body = parse(reviewSchema, request.body, 'Review');
      const user = request.consoleUser!;
      const outcome = await data.settle(request.params.id, body.action, user.username, body.comment || null);
      await store.audit(actorOf(request), `session.review.${body.action.toLowerCase()}`, `session:${request.params.id}`, {
        new_status: outcome.status,
      });
      return outcome;
    },
  );

  // --- workflows ---

  app.get('/console/api/workflows', viewer, async () => ({ results: await workflows.list() }));
  app.post('/console/api/workflows', admin, async (request: ConsoleRequest, reply) =>
    reply.code(201).send(await workflows.save(null, parse(workflowSchema, request.body, 'Workflow'), actorOf(request))),
  );
  app.put<{ Params: { id: string } }>('/console/api/workflows/:id', admin, async (request: ConsoleRequest & { params: { id: string } }) =>
    workflows.save(request.params.id, parse(workflowSchema, request.body, 'Workflow'), actorOf(request)),
  );

  // --- webhook destinations ---

  app.get('/console/api/webhooks', admin, async () => ({ results: await destinations.list() }));
  app.post('/console/api/webhooks', admin, async (request: ConsoleRequest, reply) =>
    reply.code(201).send(await destinations.create(parse(webhookSchema, request.body, 'Webhook'), actorOf(request))),
  );
  app.patch<{ Params: { id: string } }>(
    '/console/api/webhooks/:id',
    admin,
    async (request: ConsoleRequest & { params: { id: string } }) => {
      await destinations.setEnabled(request.params.id, parse(webhookPatchSchema, request.body, 'Webhook').enabled, actorOf(request));
      return { ok: true };
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/console/api/webhooks/:id',
    admin,
    async (request: ConsoleRequest & { params: { id: string } }) => {
      await destinations.remove(request.params.id, actorOf(request));
      return { ok: true };
    },
  );

  // --- kiosks, audit ---

  app.get('/console/api/kiosks', viewer, async () => ({ results: await data.kiosks() }));

  app.get('/console/api/audit', admin, async (request) => {
    const query = parse(
      z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).default(0),
        actor: z.string().max(200).optional(),
        action: z.string().max(100).optional(),
      }),
      request.query,
      'Filters',
    );
    return {
      ...(await store.listAudit({ ...query, actor: query.actor || undefined, action: query.action || undefined })),
      chain: await store.verifyAuditChain(),
    };
  });

  // --- API keys (admins make keys for integrations; anyone may see and revoke their own) ---

  app.get('/console/api/api-keys', viewer, async (request: ConsoleRequest) => {
    const user = request.consoleUser!;
    return { results: await store.listApiKeys(user.role === 'admin' ? null : user.id) };
  });
  app.post('/console/api/api-keys', admin, async (request: ConsoleRequest, reply) => {
    const body = parse(apiKeySchema, request.body, 'API key');
    return reply.code(201).send(await store.createApiKey(request.consoleUser!.id, body.label, actorOf(request)));
  });
  app.delete<{ Params: { id: string } }>(
    '/console/api/api-keys/:id',
    viewer,
    async (request: ConsoleRequest & { params: { id: string } }) => {
      const id = Number(request.params.id);
      if (!Number.isInteger(id)) throw new CodedError('INVALID_ARGUMENT', 'An API key id is a number.');
      await store.revokeApiKey(id, { userId: request.consoleUser!.id, role: request.consoleUser!.role }, actorOf(request));
      return { ok: true };
    },
  );

  // --- users ---

  app.get('/console/api/users', admin, async () => ({ results: await store.listUsers() }));
  app.post('/console/api/users', admin, async (request: ConsoleRequest, reply) => {
    const body = parse(userSchema, request.body, 'User');
    const user = await store.createUser(body.username, body.password, body.role, actorOf(request));
    return reply.code(201).send(user);
  });
  app.post<{ Params: { id: string } }>(
    '/console/api/users/:id/disable',
    admin,
    async (request: ConsoleRequest & { params: { id: string } }) => {
      await store.disableUser(Number(request.params.id), actorOf(request));
      return { ok: true };
    },
  );
};

export const CONSOLE_PLUGIN: ServerPlugin = { name: 'console', migrations: CONSOLE_MIGRATIONS, routes: consoleRoutes };
