// /v3/workflows/: what a branch's sessions run (liveness method, threshold, attempts, face checks), as Didit's
// client manages them. Every change bumps the version kiosks pick up, signed, at their next sync.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerContext } from '../context';
import { formatWorkflow, workflowBodySchema } from '../workflows';
import { uuidResourceRoutes } from './uuid-resource';

export const workflowRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  uuidResourceRoutes(app, {
    path: '/v3/workflows/',
    noun: 'workflow',
    store: ctx.workflows,
    format: formatWorkflow,
    body: workflowBodySchema,
    patch: workflowBodySchema,
  });
};
