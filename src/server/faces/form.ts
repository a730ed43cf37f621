// Reading the standalone face endpoints' multipart forms: named image files and short text fields, bounded, with
// coded errors for every way a form can be wrong. Images are validated (type sniffed, size) before any decoding.
import type { FastifyRequest } from 'fastify';
import { CodedError } from '../../shared/errors';
import { validateStill } from '../../node/engine/decode';
import { assertCleanText } from '../http/text';

/** Largest image accepted by the face endpoints (the same bound as the passive endpoint's uploads). */
export const MAX_FACE_IMAGE_BYTES = 10 * 1024 * 1024;
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'tiff', 'tif', 'webp']);

export interface FaceForm {
  images: Record<string, Buffer>;
  fields: Record<string, string>;
}

export async function readFaceForm(request: FastifyRequest, imageFields: readonly string[]): Promise<FaceForm> {
  if (!request.isMultipart())
    throw new CodedError('UNSUPPORTED_TYPE', `Send multipart/form-data with the file field(s) ${imageFields.join(', ')}.`);
  const images: Record<string, Buffer> = {};
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { files: imageFields.length, fileSize: MAX_FACE_IMAGE_BYTES } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!imageFields.includes(part.fieldname) || images[part.fieldname])
          throw new CodedError(
            'INVALID_PAYLOAD',
            `Unexpected file field "${part.fieldname.slice(0, 40)}"; send ${imageFields.join(', ')}, once each.`,
          );
        const extension = (part.filename ?? '').toLowerCase().split('.').pop() ?? '';
        if (!(part.filename ?? '').includes('.') || !IMAGE_EXTENSIONS.has(extension))
          throw new CodedError('UNSUPPORTED_TYPE', `${part.fieldname} must be a jpg, jpeg, png, tiff or webp file.`);
        images[part.fieldname] = bytes;
      } else {
        if (part.valueTruncated || part.fieldnameTruncated)
          throw new CodedError('INVALID_PAYLOAD', `The form field ${part.fieldname.slice(0, 40)} is too long.`);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (err instanceof CodedError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new CodedError('FILE_TOO_LARGE', `An image is larger than ${MAX_FACE_IMAGE_BYTES / 1024 / 1024} MB.`);
    if (code === 'FST_FILES_LIMIT')
      throw new CodedError('INVALID_PAYLOAD', `Send at most ${imageFields.length} file(s): ${imageFields.join(', ')}.`);
    throw new CodedError('INVALID_PAYLOAD', 'The multipart body is malformed or cut short.', { cause: err });
  } finally {
    if (!request.raw.readableEnded) request.raw.resume();
  }
  assertCleanText(fields, 'form field');
  for (const name of imageFields) {
    const image = images[name];
    if (!image) throw new CodedError('INVALID_PAYLOAD', `The form has no ${name} file.`);
    validateStill(image, { maxBytes: MAX_FACE_IMAGE_BYTES });
  }
  return { images, fields };
}

/** Didit's booleans arrive as "true"/"false" form strings. */
export function booleanField(fields: Record<string, string>, name: string, fallback: boolean): boolean {
  const value = fields[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === 'True' || value === '1') return true;
  if (value === 'false' || value === 'False' || value === '0') return false;
  throw new CodedError('INVALID_ARGUMENT', `${name} must be true or false, not "${value.slice(0, 20)}".`);
}

/** An integer 0-100 form field such as face_match_score_decline_threshold. */
export function scoreField(fields: Record<string, string>, name: string, fallback: number): number {
  const value = fields[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new CodedError('INVALID_ARGUMENT', `${name} must be a number from 0 to 100.`);
  return n;
}

/** vendor_data: the integrator's own identifier for the person (bounded, kept as text). */
export function vendorDataField(fields: Record<string, string>): string | null {
  const value = fields.vendor_data;
  if (value === undefined || value === '') return null;
  if (value.length > 256) throw new CodedError('INVALID_ARGUMENT', 'vendor_data is limited to 256 characters.');
  return value;
}
