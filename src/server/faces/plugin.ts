// The face identity part of the central API: opens the face index on the server's database and mounts face-match,
// face-search, age-estimation and the lists routes (all x-api-key).
import type { FastifyPluginAsync } from 'fastify';
import { CodedError } from '../../shared/errors';
import type { ServerContext } from '../context';
import { ageEstimationRoutes } from '../routes/age-estimation';
import { faceMatchRoutes } from '../routes/face-match';
import { faceSearchRoutes } from '../routes/face-search';
import { listRoutes } from '../routes/lists';
import { describe, type FaceEngine, type FaceRouteDeps } from './deps';
import { FaceIndex } from './face-index';
import { startFaceScreening } from './screening-worker';

/** The context's engine, checked to describe faces (a passive-only engine cannot serve these routes). */
function faceEngine(ctx: ServerContext) {
  return async (): Promise<FaceEngine> => {
    const engine = (await ctx.engine()) as Partial<FaceEngine>;
    if (typeof engine.describeLargestFace !== 'function')
      throw new CodedError('ENGINE_FAILURE', "This server's engine cannot describe faces.");
    return engine as FaceEngine;
  };
}

export const faceRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  const deps: FaceRouteDeps = { faces: await FaceIndex.open(ctx.storage.db, { now: ctx.now }), engine: faceEngine(ctx), now: ctx.now };
  await faceMatchRoutes(app, deps);
  await faceSearchRoutes(app, deps);
  await ageEstimationRoutes(app, deps);
  await listRoutes(app, deps);
  // The passive endpoint's save_api_request enrols through here (it is mounted before this plugin, and calls late).
  ctx.enrolApiFace = async (image, { requestId, vendorData, status }) => {
    const user = await describe(deps, image);
    if (user)
      await deps.faces.enrolFace(
        { source: 'api_request', sessionId: requestId, vendorData, status, searchable: true, embedding: user.embedding },
        deps.now(),
      );
  };
  // Synced Approved decisions are face-screened in the background, never in the sync's request.
  const screening = startFaceScreening({ db: ctx.storage.db, storage: ctx.storage, deps, logger: app.log });
  app.addHook('onClose', async () => screening.stop());
  // Kiosks keep an encrypted offline copy of the face blocklist; only an enrolled kiosk's signed request gets it.
  app.get('/v1/devices/blocklist', { config: { auth: 'device' } }, async () => ({
    entries: (await deps.faces.blocklistFaces()).map((face) => ({
      entry_uuid: face.entry_uuid,
      list_uuid: face.list_uuid,
      label: face.display_label,
      embedding: Buffer.from(face.embedding.buffer, face.embedding.byteOffset, face.embedding.byteLength).toString('base64'),
    })),
  }));
};
