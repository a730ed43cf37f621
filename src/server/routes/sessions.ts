// Sessions as Didit's v3 API shows them: one decision, its reference image, and the filtered list.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATUSES } from '../../shared/catalogue';
import { CodedError } from '../../shared/errors';
import type { ServerContext } from '../context';
import { formatDecision, formatListEntry } from '../didit';
import { errorReply } from '../http/errors';

const listQuery = z.object({
  kiosk: z.string().max(200).optional(),
  status: z.enum(STATUSES).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const sessionParams = z.object({ id: z.string().min(1).max(200) });

export function toIsoFilter(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CodedError('INVALID_ARGUMENT', `${name} must be a date (ISO 8601, e.g. 2025-01-31 or 2025-01-31T12:00:00Z).`);
  return new Date(at).toISOString();
}

export const sessionRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  for (const url of ['/v3/session/:id/decision/', '/v3/session/:id/decision']) {
    app.get(url, { schema: { params: sessionParams } }, async (request, reply) => {
      const row = await ctx.storage.getDecision(request.params.id);
      if (!row) return errorReply(reply, 404, 'NOT_FOUND', `No decision for session ${request.params.id}.`);
      return formatDecision(row, await ctx.storage.reviewsOf(row.session_id), ctx.baseUrl(request));
    });
  }

  app.get('/v3/session/:id/reference-image', { schema: { params: sessionParams } }, async (request, reply) => {
    const image = await ctx.storage.getImage(request.params.id);
    if (!image) return errorReply(reply, 404, 'NOT_FOUND', `No reference image for session ${request.params.id}.`);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(image);
  });

  for (const url of ['/v3/sessions', '/v3/sessions/']) {
    app.get(url, { schema: { querystring: listQuery } }, async (request) => {
      const { count, rows } = await ctx.storage.listDecisions({
        ...request.query,
        from: toIsoFilter(request.query.from, 'from'),
        to: toIsoFilter(request.query.to, 'to'),
      });
      return { count, results: rows.map(formatListEntry) };
    });
  }
};
