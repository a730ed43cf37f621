// Sessions as Didit's v3 API shows them: create, list, decision, status changes, erasure, the evidence PDF, the
// reference image, and the QR a teller shows the customer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { CodedError } from '../../shared/errors';
import { changeStatus, createSession, currentAttempt, eraseSessions, SESSION_STATUSES } from '../branch';
import type { ServerContext } from '../context';
import { formatDecision, formatListEntry } from '../didit';
import { verifyStoredRecord } from '../evidence-check';
import { renderEvidencePdf } from '../evidence-pdf';
import { errorReply, HttpError } from '../http/errors';
import { SESSION_CREATE_BODY_LIMIT } from '../http/limits';
import { dateQueryField, isoDateBound, pageQueryFields } from '../http/list-query';
import { assertWebhookUrl } from '../destinations';
import { eraseSessionFaces } from '../faces/face-index';

const listQuery = z.object({
  kiosk: z.string().max(200).optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  vendor_data: z.string().max(500).optional(),
  workflow_id: z.string().max(100).optional(),
  search: z.string().max(200).optional(),
  session_kind: z.enum(['user', 'business', 'all']).optional(),
  from: dateQueryField,
  to: dateQueryField,
  date_from: dateQueryField,
  date_to: dateQueryField,
  ...pageQueryFields,
});

const sessionParams = z.object({ id: z.string().min(1).max(200) });

const createBody = z.object({
  workflow_id: z.string().min(1).max(100),
  vendor_data: z.string().max(500).optional(),
  callback: z.string().max(2000).optional(),
  callback_method: z.enum(['initiator', 'completer', 'both']).optional(),
  language: z.string().max(10).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Didit's reference photo for the 1:1 face match (base64 JPEG or PNG, at most 2 MB; ~2.8 MB as base64). */
  portrait_image: z.string().max(3_000_000).optional(),
});

const updateStatusBody = z.object({
  new_status: z.enum(['Approved', 'Declined', 'Resubmitted']),
  comment: z.string().max(2000).optional(),
  nodes_to_resubmit: z.array(z.string().max(100)).max(20).optional(),
  send_email: z.boolean().optional(),
  email_address: z.string().max(320).optional(),
  email_language: z.string().max(10).optional(),
});

const batchDeleteBody = z.object({
  session_numbers: z.array(z.number().int().min(1)).max(1000).optional(),
  delete_all: z.boolean().optional(),
});

const DATE_EXAMPLE = '2025-01-31 or 2025-01-31T12:00:00Z';

export const sessionRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  const deps = { storage: ctx.storage, signingKey: ctx.signingKey, now: ctx.now };
  const actorOf = (principal: { name: string } | undefined) => principal?.name ?? 'api-key';

  app.post('/v3/session/', { bodyLimit: SESSION_CREATE_BODY_LIMIT, schema: { body: createBody } }, async (request, reply) => {
    const workflow = await ctx.workflows.get(request.body.workflow_id);
    if (!workflow) throw new HttpError(404, 'NOT_FOUND', `No workflow ${request.body.workflow_id}; create one with POST /v3/workflows/.`);
    if (workflow.status !== 'published')
      throw new HttpError(409, 'WORKFLOW_DRAFT', `Workflow ${workflow.uuid} is a draft; publish it before creating sessions with it.`);
    const callback = request.body.callback === undefined ? undefined : assertWebhookUrl(request.body.callback);
    const { session, attempt } = await createSession(deps, workflow, { ...request.body, callback });
    return reply.code(201).send({
      session_id: session.session_id,
      session_number: Number(session.id),
      session_token: attempt.token,
      vendor_data: session.vendor_data,
      metadata: request.body.metadata ?? null,
      status: session.status,
      workflow_id: workflow.uuid,
      callback: session.callback,
      url: `${ctx.baseUrl(request)}/v3/session/${session.session_id}/qr`,
      short_code: attempt.short_code,
      short_code_expires_at: attempt.expires_at,
      qr_payload: attempt.token,
      attempt_id: attempt.attempt_id,
    });
  });

  for (const url of ['/v3/session/:id/decision/', '/v3/session/:id/decision']) {
    app.get(url, { schema: { params: sessionParams } }, async (request, reply) => {
      const session = await ctx.storage.getSession(request.params.id);
      if (!session) return errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${request.params.id}.`);
      const row = await ctx.storage.getDecision(session.session_id);
      const verification = row ? await verifyStoredRecord(ctx.storage, row, await ctx.storage.getImage(session.session_id)) : null;
      return formatDecision(session, row, await ctx.storage.reviewsOf(session.session_id), ctx.baseUrl(request), verification);
    });
  }

  app.patch('/v3/session/:id/update-status/', { schema: { params: sessionParams, body: updateStatusBody } }, async (request) => {
    const { session, attempt } = await changeStatus(deps, request.params.id, {
      newStatus: request.body.new_status,
      comment: request.body.comment ?? null,
      reviewer: actorOf(request.principal),
    });
    return {
      session_id: session.session_id,
      status: session.status,
      // A resubmitted session gets a new code and QR for the person's next attempt.
      ...(attempt
        ? {
            short_code: attempt.short_code,
            short_code_expires_at: attempt.expires_at,
            qr_payload: attempt.token,
            attempt_id: attempt.attempt_id,
          }
        : {}),
    };
  });

  app.delete('/v3/session/:id/delete/', { schema: { params: sessionParams } }, async (request, reply) => {
    const outcome = await eraseSessions(deps, [request.params.id], actorOf(request.principal));
    await eraseSessionFaces(ctx.storage.db, [request.params.id]);
    if (outcome.deleted === 0) throw new HttpError(404, 'NOT_FOUND', `No session ${request.params.id}.`);
    return reply.code(204).send();
  });

  app.post('/v3/sessions/delete/', { schema: { body: batchDeleteBody } }, async (request) => {
    const { session_numbers: numbers = [], delete_all: all = false } = request.body;
    if (!all && numbers.length === 0) throw new CodedError('INVALID_ARGUMENT', 'Send session_numbers (a list) or delete_all: true.');
    const ids = all
      ? (await ctx.storage.db.all<{ session_id: string }>('SELECT session_id FROM sessions')).map((r) => r.session_id)
      : (
          await Promise.all(
            numbers.map((n) => ctx.storage.db.get<{ session_id: string }>('SELECT session_id FROM sessions WHERE id = $1', [n])),
          )
        ).flatMap((r) => (r ? [r.session_id] : []));
    const outcome = await eraseSessions(deps, ids, actorOf(request.principal));
    await eraseSessionFaces(ctx.storage.db, ids);
    return { deleted: outcome.deleted, deleted_records: outcome.records, deleted_images: outcome.images };
  });

  app.get('/v3/session/:id/generate-pdf', { schema: { params: sessionParams } }, async (request, reply) => {
    const session = await ctx.storage.getSession(request.params.id);
    if (!session) throw new HttpError(404, 'NOT_FOUND', `No session ${request.params.id}.`);
    const decisions = [];
    for (const row of await ctx.storage.decisionsOf(session.session_id)) {
      const bytes = await ctx.storage.decisionImage(row.session_id);
      decisions.push({ row, image: bytes, verification: await verifyStoredRecord(ctx.storage, row, bytes) });
    }
    const pdf = await renderEvidencePdf({
      session,
      decisions,
      reviews: await ctx.storage.reviewsOf(session.session_id),
      generatedAt: new Date(ctx.now()).toISOString(),
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="session-${Number(session.id)}.pdf"`)
      .send(pdf);
  });

  app.get('/v3/session/:id/reference-image', { schema: { params: sessionParams } }, async (request, reply) => {
    const image = await ctx.storage.getImage(request.params.id);
    if (!image) return errorReply(reply, 404, 'NOT_FOUND', `No reference image for session ${request.params.id}.`);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(image);
  });

  // The teller's screen shows this QR (the signed session token) next to the short code.
  app.get('/v3/session/:id/qr', { schema: { params: sessionParams } }, async (request, reply) => {
    const attempt = await currentAttempt(ctx.storage, request.params.id);
    if (!attempt) throw new HttpError(404, 'NOT_FOUND', `No session ${request.params.id} that a kiosk can take.`);
    return reply.type('image/svg+xml').send(await QRCode.toString(attempt.token, { type: 'svg', errorCorrectionLevel: 'M' }));
  });

  for (const url of ['/v3/sessions', '/v3/sessions/']) {
    app.get(url, { schema: { querystring: listQuery } }, async (request) => {
      const { count, rows } = await ctx.storage.listSessions({
        ...request.query,
        from: isoDateBound(request.query.from ?? request.query.date_from, 'from', DATE_EXAMPLE),
        to: isoDateBound(request.query.to ?? request.query.date_to, 'to', DATE_EXAMPLE),
      });
      const { limit, offset } = request.query;
      const page = (at: number) => `${ctx.baseUrl(request)}/v3/sessions/?limit=${limit}&offset=${at}`;
      return {
        count,
        next: offset + limit < count ? page(offset + limit) : null,
        previous: offset > 0 ? page(Math.max(0, offset - limit)) : null,
        results: rows.map(({ session, decision }) => formatListEntry(session, decision)),
      };
    });
  }
};
