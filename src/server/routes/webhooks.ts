// Outgoing webhooks as an integrator sees them: the delivery log (payloads are not echoed back).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';

export const webhookRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get('/v1/webhooks/deliveries', { schema: { querystring: z.object({ session_id: z.string().max(200).optional() }) } }, async (request) => ({
    results: (await ctx.storage.listWebhookDeliveries(request.query.session_id)).map(({ payload: _payload, ...rest }) => rest),
  }));
};
