// Text the server will not take: a NUL byte (PostgreSQL cannot store it in TEXT, and it truncates C strings) or a
// lone UTF-16 surrogate (not Unicode; it cannot be encoded as UTF-8). Refused with 400 on every route, once, here.
import type { FastifyInstance } from 'fastify';
import { CodedError } from '../../shared/errors';

/** Deeper than any legitimate body; a deeper one is refused rather than walked. */
const MAX_DEPTH = 64;
const LONE_SURROGATE = /\p{Cs}/u;

/** The first character the server refuses, as a name for the error, or null when the text is clean. */
export function invalidTextIn(text: string): string | null {
  if (text.includes('\0')) return 'a NUL byte';
  // With the u flag a surrogate pair is one code point, so only an unpaired half matches \p{Cs}.
  return LONE_SURROGATE.test(text) ? 'an unpaired surrogate' : null;
}

/** Throws INVALID_ARGUMENT (query, path) or INVALID_PAYLOAD (body) naming where the bad text is. */
export function assertCleanText(
  value: unknown,
  where: string,
  code: 'INVALID_ARGUMENT' | 'INVALID_PAYLOAD' = 'INVALID_ARGUMENT',
  depth = 0,
): void {
  if (depth > MAX_DEPTH) throw new CodedError(code, `The ${where} is nested too deeply.`);
  if (typeof value === 'string') {
    const bad = invalidTextIn(value);
    if (bad) throw new CodedError(code, `The ${where} contains ${bad}, which is not valid text.`);
    return;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return;
  for (const [key, item] of Object.entries(value)) {
    assertCleanText(key, where, code, depth + 1);
    assertCleanText(item, Array.isArray(value) ? where : `${where} ${key.slice(0, 40)}`, code, depth + 1);
  }
}

/** Path parameters, query and cookies are checked on arrival (before any hook reaches the database); bodies once parsed. */
export function installTextChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    assertCleanText(request.params, 'path parameter');
    assertCleanText(request.query, 'query parameter');
    const cookie = request.headers.cookie;
    if (cookie && /%00|%ed%[ab][0-9a-f]/i.test(cookie))
      throw new CodedError('INVALID_ARGUMENT', 'A cookie contains a NUL byte or an unpaired surrogate.');
  });
  app.addHook('preValidation', async (request) => {
    assertCleanText(request.body, 'field', 'INVALID_PAYLOAD');
  });
}
