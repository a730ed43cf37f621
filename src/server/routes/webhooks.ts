// Outgoing webhooks as an integrator manages them: destinations (Didit's /v3/webhook/destinations/) and the
// delivery log (payloads are not echoed back).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { destinationBodySchema, destinationPatchSchema, formatDestination } from '../destinations';
import { uuidResourceRoutes } from './uuid-resource';

export const webhookRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get(
    '/v1/webhooks/deliveries',
    { schema: { querystring: z.object({ session_id: z.string().max(200).optional() }) } },
    async (request) => ({
      results: (await ctx.storage.listWebhookDeliveries(request.query.session_id)).map(({ payload: _payload, ...rest }) => rest),
    }),
  );

  uuidResourceRoutes(app, {
    path: '/v3/webhook/destinations/',
    noun: 'webhook destination',
    store: ctx.destinations,
    format: formatDestination,
    body: destinationBodySchema,
    patch: destinationPatchSchema,
  });
};
