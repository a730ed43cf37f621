// Outgoing webhooks as an integrator manages them: destinations (Didit's /v3/webhook/destinations/) and the
// delivery log (payloads are not echoed back).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { destinationBodySchema, destinationPatchSchema, formatDestination } from '../destinations';
import { HttpError } from '../http/errors';

const params = z.object({ id: z.string().min(1).max(100) });

export const webhookRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get(
    '/v1/webhooks/deliveries',
    { schema: { querystring: z.object({ session_id: z.string().max(200).optional() }) } },
    async (request) => ({
      results: (await ctx.storage.listWebhookDeliveries(request.query.session_id)).map(({ payload: _payload, ...rest }) => rest),
    }),
  );

  app.get('/v3/webhook/destinations/', async () => {
    const rows = await ctx.destinations.list();
    return { count: rows.length, next: null, previous: null, results: rows.map(formatDestination) };
  });

  app.post('/v3/webhook/destinations/', { schema: { body: destinationBodySchema } }, async (request, reply) =>
    reply.code(201).send(formatDestination(await ctx.destinations.create(request.body))),
  );

  app.get('/v3/webhook/destinations/:id/', { schema: { params } }, async (request) => {
    const row = await ctx.destinations.get(request.params.id);
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No webhook destination ${request.params.id}.`);
    return formatDestination(row);
  });

  app.patch('/v3/webhook/destinations/:id/', { schema: { params, body: destinationPatchSchema } }, async (request) => {
    const row = await ctx.destinations.update(request.params.id, request.body);
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No webhook destination ${request.params.id}.`);
    return formatDestination(row);
  });

  app.delete('/v3/webhook/destinations/:id/', { schema: { params } }, async (request, reply) => {
    if (!(await ctx.destinations.delete(request.params.id)))
      throw new HttpError(404, 'NOT_FOUND', `No webhook destination ${request.params.id}.`);
    return reply.code(204).send();
  });
};
