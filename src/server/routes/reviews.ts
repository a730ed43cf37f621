// The review queue: In Review decisions (scores 50-74) settled by a named reviewer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { formatDecision } from '../didit';
import { errorReply } from '../http/errors';

const reviewBody = z.object({
  decision: z.enum(['Approve', 'Decline']),
  reviewer: z.string().trim().min(1).max(200),
  note: z.string().max(2000).optional(),
});

export const reviewRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get('/v1/review', async (request) => {
    const { rows, count } = await ctx.storage.listDecisions({ status: 'In Review', limit: 500, offset: 0 });
    return { count, results: rows.map((row) => formatDecision(row, [], ctx.baseUrl(request))) };
  });

  app.post('/v1/review/:session_id', { schema: { params: z.object({ session_id: z.string().min(1).max(200) }), body: reviewBody } }, async (request, reply) => {
    const sessionId = request.params.session_id;
    const outcome = await ctx.storage.review(sessionId, request.body.decision, request.body.reviewer, request.body.note ?? null);
    if (!outcome.ok) {
      return outcome.code === 'NOT_FOUND'
        ? errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${sessionId}.`)
        : errorReply(reply, 409, 'NOT_IN_REVIEW', `Session ${sessionId} is ${outcome.status}, not In Review.`);
    }
    const row = await ctx.storage.getDecision(sessionId);
    return formatDecision(row!, await ctx.storage.reviewsOf(sessionId), ctx.baseUrl(request));
  });
};
