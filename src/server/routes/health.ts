// Liveness of the service itself: /healthz for load balancers (public), /metrics for Prometheus (x-api-key).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerContext } from '../context';

export const healthRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get('/healthz', { config: { auth: 'public' } }, async () => {
    await ctx.storage.db.get('SELECT 1 AS ok');
    return { status: 'ok' };
  });

  app.get('/metrics', async (_request, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()));
};
