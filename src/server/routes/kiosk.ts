// What an enrolled kiosk asks the server (device-signed): take a session by its short code, its current workflow
// as a signed envelope, and the key that signs both. Plus the integrator's route to give a kiosk a workflow.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimByCode, recordKioskReport } from '../branch';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { signWorkflow } from '../signing';
import type { WorkflowSettings } from '../../shared/workflow';

export const kioskRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  const deps = { storage: ctx.storage, signingKey: ctx.signingKey, now: ctx.now };

  app.post(
    '/v1/kiosk/sessions/claim',
    { config: { auth: 'device' }, schema: { body: z.object({ code: z.string().min(1).max(40) }) } },
    async (request) => {
      const claimed = await claimByCode(deps, request.body.code, request.device!.id);
      return { ...claimed, workflow_key_id: ctx.signingKey.keyId };
    },
  );

  // Sent after each sync; the body is covered by the device signature like every signed kiosk request.
  app.post(
    '/v1/kiosk/status',
    {
      config: { auth: 'device' },
      schema: {
        body: z.object({
          pending: z.number().int().min(0).max(10_000_000),
          app_version: z.string().max(100).nullable(),
          workflow_id: z.string().max(100).nullable(),
          workflow_version: z.number().int().min(0).nullable(),
        }),
      },
    },
    async (request) => {
      await recordKioskReport(deps, request.device!.id, request.body);
      return { ok: true };
    },
  );

  app.get('/v1/kiosk/workflow', { config: { auth: 'device' } }, async (request) => {
    const device = request.device!;
    const assigned = await ctx.storage.db.get<{ workflow_id: string | null }>('SELECT workflow_id FROM devices WHERE id = $1', [device.id]);
    const workflow =
      (assigned?.workflow_id ? await ctx.workflows.get(assigned.workflow_id) : undefined) ?? (await ctx.workflows.defaultWorkflow());
    if (!workflow)
      throw new HttpError(
        404,
        'NO_WORKFLOW',
        'No workflow is assigned to this kiosk and none is the default; the kiosk keeps its last good one.',
      );
    return signWorkflow(ctx.signingKey, {
      workflow_id: workflow.uuid,
      version: Number(workflow.version),
      settings: JSON.parse(workflow.settings_json) as WorkflowSettings,
      issued_at: new Date(ctx.now()).toISOString(),
      device_id: device.id,
    });
  });

  app.get('/v1/kiosk/signing-key', { config: { auth: 'device' } }, async () => ({
    key_id: ctx.signingKey.keyId,
    public_key: ctx.signingKey.publicKeyPem,
    algorithm: 'Ed25519',
  }));

  app.put(
    '/v1/devices/:id/workflow',
    {
      schema: {
        params: z.object({ id: z.string().min(1).max(200) }),
        body: z.object({ workflow_id: z.string().min(1).max(100).nullable() }),
      },
    },
    async (request) => {
      if (request.body.workflow_id !== null && !(await ctx.workflows.get(request.body.workflow_id)))
        throw new HttpError(404, 'NOT_FOUND', `No workflow ${request.body.workflow_id}.`);
      const changed = await ctx.storage.db.run('UPDATE devices SET workflow_id = $1 WHERE id = $2', [
        request.body.workflow_id,
        request.params.id,
      ]);
      if (changed === 0) throw new HttpError(404, 'NOT_FOUND', `No kiosk ${request.params.id}.`);
      return { device_id: request.params.id, workflow_id: request.body.workflow_id };
    },
  );
};
