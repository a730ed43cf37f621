// Every error leaves the server as JSON `{ error: { code, message } }` with the HTTP status its code implies.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CodedError, type ErrorCode } from '../../shared/errors';

export const STATUS_FOR_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_PAYLOAD: 400,
  FILE_EMPTY: 400,
  FILE_TOO_LARGE: 400,
  UNSUPPORTED_TYPE: 400,
  CORRUPT_IMAGE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  MODEL_MISSING: 503,
  MODEL_INTEGRITY: 503,
  ENGINE_FAILURE: 503,
  DATABASE_LOCKED: 503,
};

/** Fastify's and @fastify/multipart's own errors, as codes a client can act on. */
export const FRAMEWORK_ERRORS: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'UNSUPPORTED_TYPE',
    'This content type is not accepted here; send application/json (or multipart/form-data for images).',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'FILE_TOO_LARGE', 'The request body is too large.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'INVALID_PAYLOAD', 'The JSON body is empty.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_PAYLOAD', 'The Content-Length does not match the body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_PAYLOAD', 'The body is not valid JSON.'],
  FST_REQ_FILE_TOO_LARGE: [400, 'FILE_TOO_LARGE', 'The image is larger than 5 MB.'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [400, 'UNSUPPORTED_TYPE', 'Send the image as multipart/form-data with the field user_image.'],
  FST_PARTS_LIMIT: [400, 'INVALID_PAYLOAD', 'The form has too many parts.'],
  FST_FILES_LIMIT: [400, 'INVALID_PAYLOAD', 'Send exactly one file, user_image.'],
  FST_FIELDS_LIMIT: [400, 'INVALID_PAYLOAD', 'The form has too many fields.'],
  FST_PROTO_VIOLATION: [400, 'INVALID_PAYLOAD', 'A form field name is not allowed.'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'INVALID_PAYLOAD', 'A form field declared as JSON is not valid JSON.'],
};

export function isFrameworkError(err: unknown): boolean {
  return FRAMEWORK_ERRORS[(err as { code?: string })?.code ?? ''] !== undefined;
}

export function errorReply(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type('application/json')
    .send({ error: { code, message }, ...extra });
}

/** Throwable 4xx/5xx with a code outside ErrorCode (Didit's and the ledger's own codes, e.g. NOT_IN_REVIEW). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The sentence for a schema failure: which field, what is wrong with it. */
function validationSentence(err: unknown): { code: ErrorCode; message: string } {
  const { validation, validationContext } = err as {
    validation: Array<{ instancePath?: string; message?: string }>;
    validationContext?: string;
  };
  const first = validation[0];
  const path = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
  const where = validationContext === 'querystring' ? 'query parameter' : validationContext === 'params' ? 'path parameter' : 'field';
  const message = path
    ? `The ${where} ${path} is invalid: ${first?.message ?? 'invalid'}.`
    : `The ${validationContext ?? 'request'} is invalid: ${first?.message ?? 'invalid'}.`;
  return { code: validationContext === 'body' ? 'INVALID_PAYLOAD' : 'INVALID_ARGUMENT', message };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    errorReply(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof CodedError) return errorReply(reply, STATUS_FOR_CODE[err.code] ?? 500, err.code, err.message);
    if (err instanceof HttpError) return errorReply(reply, err.status, err.code, err.message, err.extra);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const { code, message } = validationSentence(err);
      return errorReply(reply, 400, code, message);
    }
    const known = FRAMEWORK_ERRORS[(err as { code?: string }).code ?? ''];
    if (known) return errorReply(reply, known[0], known[1], known[2]);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return errorReply(reply, status, 'INVALID_PAYLOAD', 'The request could not be read.');
    request.log.error({ err }, 'unhandled error');
    return errorReply(reply, 500, 'INTERNAL', 'An unexpected error occurred.');
  });
}

/**
 * Fastify's errors raised before routing (a path that is not valid percent-encoded UTF-8, e.g. a lone surrogate's
 * bytes): the same coded JSON as every other error, instead of Fastify's own shape.
 */
export function routingErrorReply(err: { code?: string }, _request: unknown, reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  const message =
    err.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: a part of its path is not percent-encoded UTF-8 text.'
      : 'The request could not be routed.';
  void errorReply(reply, 400, 'INVALID_ARGUMENT', message);
}
