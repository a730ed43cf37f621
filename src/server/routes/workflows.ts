// /v3/workflows/: what a branch's sessions run (liveness method, threshold, attempts, face checks), as Didit's
// client manages them. Every change bumps the version kiosks pick up, signed, at their next sync.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { formatWorkflow, workflowBodySchema } from '../workflows';

const params = z.object({ id: z.string().min(1).max(100) });

export const workflowRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.get('/v3/workflows/', async () => {
    const rows = await ctx.workflows.list();
    return { count: rows.length, next: null, previous: null, results: rows.map(formatWorkflow) };
  });

  app.post('/v3/workflows/', { schema: { body: workflowBodySchema } }, async (request, reply) =>
    reply.code(201).send(formatWorkflow(await ctx.workflows.create(request.body))),
  );

  app.get('/v3/workflows/:id/', { schema: { params } }, async (request) => {
    const row = await ctx.workflows.get(request.params.id);
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No workflow ${request.params.id}.`);
    return formatWorkflow(row);
  });

  app.patch('/v3/workflows/:id/', { schema: { params, body: workflowBodySchema } }, async (request) => {
    const row = await ctx.workflows.update(request.params.id, request.body);
    if (!row) throw new HttpError(404, 'NOT_FOUND', `No workflow ${request.params.id}.`);
    return formatWorkflow(row);
  });

  app.delete('/v3/workflows/:id/', { schema: { params } }, async (request, reply) => {
    if (!(await ctx.workflows.delete(request.params.id))) throw new HttpError(404, 'NOT_FOUND', `No workflow ${request.params.id}.`);
    return reply.code(204).send();
  });
};
