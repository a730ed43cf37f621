// The audit log: refused records (edited, replaced, missing) and, later, human actions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';

export const auditRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get('/v1/audit', { schema: { querystring: z.object({ limit: z.string().max(20).optional() }) } }, async (request) => ({
    // An out-of-range limit is clamped, not refused: the log is read by people scrolling, not by strict clients.
    results: await ctx.storage.listAudit(Math.min(1000, Math.max(1, Number(request.query.limit) || 100))),
  }));
};
