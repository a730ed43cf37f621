// Reviews: Didit's per-session review trail (GET/POST /v3/sessions/{id}/reviews/) and the In Review queue
// (scores 50-74) that reviewers settle.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addReview, SESSION_STATUSES } from '../branch';
import type { ServerContext } from '../context';
import { formatDecision, formatReview } from '../didit';
import { errorReply, HttpError } from '../http/errors';

const legacyReviewBody = z.object({
  decision: z.enum(['Approve', 'Decline']),
  reviewer: z.string().trim().min(1).max(200),
  note: z.string().max(2000).optional(),
});

const reviewBody = z.object({
  comment: z.string().max(2000).optional(),
  new_status: z.enum(SESSION_STATUSES).or(z.literal('Resubmitted')).optional(),
});

const sessionParams = z.object({ id: z.string().min(1).max(200) });

export const reviewRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  const deps = { storage: ctx.storage, signingKey: ctx.signingKey, now: ctx.now };

  app.get('/v1/review', async (request) => {
    const { rows, count } = await ctx.storage.listSessions({ status: 'In Review', limit: 500, offset: 0 });
    return { count, results: rows.map(({ session, decision }) => formatDecision(session, decision, [], ctx.baseUrl(request))) };
  });

  app.post(
    '/v1/review/:session_id',
    { schema: { params: z.object({ session_id: z.string().min(1).max(200) }), body: legacyReviewBody } },
    async (request, reply) => {
      const sessionId = request.params.session_id;
      const outcome = await ctx.storage.review(sessionId, request.body.decision, request.body.reviewer, request.body.note ?? null);
      if (!outcome.ok) {
        return outcome.code === 'NOT_FOUND'
          ? errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${sessionId}.`)
          : errorReply(reply, 409, 'NOT_IN_REVIEW', `Session ${sessionId} is ${outcome.status}, not In Review.`);
      }
      const session = (await ctx.storage.getSession(sessionId))!;
      return formatDecision(
        session,
        await ctx.storage.getDecision(sessionId),
        await ctx.storage.reviewsOf(sessionId),
        ctx.baseUrl(request),
      );
    },
  );

  for (const url of ['/v3/sessions/:id/reviews/', '/v3/sessions/:id/reviews']) {
    app.get(url, { schema: { params: sessionParams } }, async (request) => {
      if (!(await ctx.storage.getSession(request.params.id))) throw new HttpError(404, 'NOT_FOUND', `No session ${request.params.id}.`);
      const reviews = (await ctx.storage.reviewsOf(request.params.id)).map(formatReview);
      return { count: reviews.length, results: reviews };
    });
    app.post(url, { schema: { params: sessionParams, body: reviewBody } }, async (request, reply) => {
      if (request.body.comment === undefined && request.body.new_status === undefined)
        throw new HttpError(400, 'INVALID_PAYLOAD', 'A review needs a comment, a new_status, or both.');
      const { session } = await addReview(deps, request.params.id, {
        comment: request.body.comment ?? null,
        newStatus: request.body.new_status,
        reviewer: request.principal?.name ?? 'api-key',
      });
      const reviews = await ctx.storage.reviewsOf(session.session_id);
      return reply.code(201).send({ ...formatReview(reviews[reviews.length - 1]), session_id: session.session_id, status: session.status });
    });
  }
};
