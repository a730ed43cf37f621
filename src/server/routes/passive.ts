// POST /v3/passive-liveness/: the standalone passive check on one uploaded photo, on the kiosk's own engine.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FrameAnalysis } from '../../shared/analysis';
import { CodedError } from '../../shared/errors';
import type { ServerContext } from '../context';
import { formatWarnings } from '../didit';
import { isFrameworkError } from '../http/errors';
import { UPLOAD_BODY_LIMIT } from '../http/limits';
import { assertCleanText } from '../http/text';
import { MAX_IMAGE_BYTES } from '../storage';

const PASSIVE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'tiff', 'webp']);

export const passiveRoutes: FastifyPluginAsyncZod<ServerContext> = async (app, ctx) => {
  app.post('/v3/passive-liveness/', { bodyLimit: UPLOAD_BODY_LIMIT }, async (request, reply) => {
    if (!request.isMultipart())
      throw new CodedError('UNSUPPORTED_TYPE', 'Send the image as multipart/form-data with the field user_image.');
    let image: Buffer | null = null;
    let filename = '';
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'user_image' || image) {
            await part.toBuffer();
            throw new CodedError('INVALID_PAYLOAD', 'Send exactly one file, in the field user_image.');
          }
          filename = part.filename ?? '';
          image = await part.toBuffer();
        } else {
          if (part.valueTruncated || part.fieldnameTruncated)
            throw new CodedError('INVALID_PAYLOAD', `The form field ${part.fieldname.slice(0, 40)} is too long.`);
          fields[part.fieldname] = String(part.value);
        }
      }
      assertCleanText(fields, 'form field');
    } catch (err) {
      if (err instanceof CodedError || isFrameworkError(err)) throw err;
      // busboy's own complaints (a part cut short, a missing boundary) are bad input, not server faults.
      throw new CodedError('INVALID_PAYLOAD', 'The multipart body is malformed or cut short.', { cause: err });
    } finally {
      // Read what is left so the client always receives our answer, not a reset connection.
      if (!request.raw.readableEnded) request.raw.resume();
    }
    if (!image) throw new CodedError('INVALID_PAYLOAD', 'The form has no user_image file.');
    const extension = filename.toLowerCase().split('.').pop() ?? '';
    if (!filename.includes('.') || !PASSIVE_EXTENSIONS.has(extension)) {
      throw new CodedError('UNSUPPORTED_TYPE', 'user_image must be a jpg, jpeg, png, tiff or webp file.');
    }
    const { validateStill } = await import('../../node/engine/decode');
    validateStill(image, { maxBytes: MAX_IMAGE_BYTES });
    for (const flag of ['save_api_request', 'rotate_image']) {
      if (fields[flag] !== undefined && !['true', 'false'].includes(fields[flag].toLowerCase()))
        throw new CodedError('INVALID_ARGUMENT', `${flag} must be true or false.`);
    }
    if ((fields.vendor_data ?? '').length > 500) throw new CodedError('INVALID_ARGUMENT', 'vendor_data is longer than 500 characters.');
    let threshold: number | undefined;
    const rawThreshold = fields.face_liveness_score_decline_threshold ?? fields.liveness_threshold;
    if (rawThreshold !== undefined) {
      threshold = Number(rawThreshold);
      if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100)
        throw new CodedError('INVALID_ARGUMENT', 'The threshold must be an integer from 0 to 100.');
    }
    let analysis: FrameAnalysis;
    try {
      analysis = await (await ctx.engine()).analyzeImage(image);
    } catch (err) {
      if (err instanceof CodedError) throw err;
      throw new CodedError('ENGINE_FAILURE', 'The liveness engine failed on this image.', { cause: err });
    }
    const { passiveDecision } = await import('../../liveness/passive');
    ctx.metrics.observeEngineTimings(analysis.timings);
    const decision = ctx.metrics.timeStage('decision', () => passiveDecision(analysis, threshold));
    ctx.metrics.passive.inc({ status: decision.status });
    const requestId = randomUUID();
    // save_api_request (Didit's default: true) enrols the face, so later face searches find it as this vendor_data.
    if ((fields.save_api_request ?? 'true').toLowerCase() === 'true' && ctx.enrolApiFace && decision.status !== 'Declined') {
      // The liveness answer stands even when enrolment fails (an engine that cannot describe faces): the log says so.
      await ctx
        .enrolApiFace(image, { requestId, vendorData: fields.vendor_data ?? null, status: decision.status })
        .catch((err: unknown) =>
          request.log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'save_api_request: the face was not enrolled'),
        );
    }
    // Didit's documented shape: the check under `liveness`, warnings as objects with a risk code.
    return reply.send({
      request_id: requestId,
      liveness: { ...decision, warnings: formatWarnings(decision.warnings) },
      vendor_data: fields.vendor_data ?? null,
      created_at: new Date(ctx.now()).toISOString(),
    });
  });
};
