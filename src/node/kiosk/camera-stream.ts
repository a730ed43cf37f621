// The kiosk side of the stream-injection checks: each received JPEG becomes the small greyscale thumbnail the pure
// analysis (src/liveness/stream-integrity.ts) works on. Decoding runs on libvips' threads beside the engine.
import sharp from 'sharp';
import { CodedError } from '../../shared/errors';
import { STREAM_THUMB_HEIGHT, STREAM_THUMB_WIDTH, type StreamSample } from '../../liveness/stream-integrity';

/** The frame's size and its 80x60 greyscale thumbnail; a frame that does not decode is a coded error. */
export async function streamSampleFromJpeg(jpeg: Uint8Array, timestampMs: number): Promise<StreamSample> {
  try {
    const image = sharp(jpeg, { failOn: 'error' });
    const meta = await image.metadata();
    const { data } = await image
      .greyscale()
      .resize(STREAM_THUMB_WIDTH, STREAM_THUMB_HEIGHT, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      timestampMs,
      width: meta.width ?? 0,
      height: meta.height ?? 0,
      luma: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    throw new CodedError('CORRUPT_IMAGE', 'The frame could not be decoded as an image.', { cause: err });
  }
}
