// Kiosks: enrolment with a one-time token, and the signed, hash-chained decision batches they sync.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deviceIdForPublicKey } from '../../node/sync/evidence';
import { CodedError } from '../../shared/errors';
import type { ServerContext } from '../context';
import { signedRequestOf, spendNonce, verifySignedRequest } from '../http/auth';
import { errorReply } from '../http/errors';
import { DECISIONS_BODY_LIMIT, ENROL_RATE_LIMIT } from '../http/limits';
import { batchSchema } from '../storage';

const enrolSchema = z.object({ token: z.string().min(1).max(500), public_key: z.string().min(1).max(2000) });

/** Refusals that mean the record itself is bad (400), as opposed to out of order or conflicting (409). */
const BAD_RECORD_CODES = ['INVALID_RECORD', 'RECORD_HASH_MISMATCH', 'BAD_SIGNATURE', 'IMAGE_HASH_MISMATCH'];

export const deviceRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  // Per client address, in this instance's memory: wrong tokens cannot be tried by the hundred.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new CodedError('RATE_LIMITED', `Too many enrolment attempts from this address; try again in ${Math.ceil(context.ttl / 1000)} s.`),
  });

  app.post(
    '/v1/devices/enrol',
    { config: { auth: 'enrol', rateLimit: ENROL_RATE_LIMIT }, schema: { body: enrolSchema } },
    async (request, reply) => {
      // Proof of possession: the request is signed by the key being enrolled, with a nonce spent once.
      const signed = verifySignedRequest(signedRequestOf(request), request.body.public_key, ctx.now());
      await spendNonce(ctx, deviceIdForPublicKey(request.body.public_key), signed);
      const result = await ctx.storage.enrol(request.body.token, request.body.public_key);
      if (!result.ok) return errorReply(reply, result.code === 'INVALID_PAYLOAD' ? 400 : 401, result.code, result.message);
      // The key that signs workflows and session tokens, for the kiosk to pin from its first contact.
      return reply.code(result.created ? 201 : 200).send({
        device_id: result.deviceId,
        enrolled: true,
        workflow_key_id: ctx.signingKey.keyId,
        workflow_public_key: ctx.signingKey.publicKeyPem,
      });
    },
  );

  app.post(
    '/v1/decisions',
    { config: { auth: 'device' }, bodyLimit: DECISIONS_BODY_LIMIT, schema: { body: batchSchema } },
    async (request, reply) => {
      const results = await ctx.storage.ingest(request.device!.id, request.body);
      for (const result of results) ctx.metrics.decisions.inc({ outcome: result.status });
      const refused = results.find((result) => result.status === 'rejected' || result.status === 'deferred');
      if (!refused || !('code' in refused)) return reply.code(200).send({ results });
      return errorReply(reply, BAD_RECORD_CODES.includes(refused.code) ? 400 : 409, refused.code, refused.message, { results });
    },
  );
};
