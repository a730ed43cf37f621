import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../src/shared/errors';
import { decodeStill, decodeStillFile, readStillFile, sniffType } from '../../src/node/engine/decode';

let dir: string;
let jpeg: Buffer;

/** A 64x48 test card: a red left half and a blue right half (so orientation is checkable). */
async function card(): Promise<sharp.Sharp> {
  const raw = Buffer.alloc(64 * 48 * 3);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) raw.set(x < 32 ? [220, 20, 20] : [20, 20, 220], (y * 64 + x) * 3);
  }
  return sharp(raw, { raw: { width: 64, height: 48, channels: 3 } });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).message.length).toBeGreaterThan(10);
    return (err as CodedError).code;
  }
  return 'NO_ERROR';
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'liveness-decode-'));
  jpeg = await (await card()).jpeg({ quality: 90 }).toBuffer();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeStill accepts the four still formats', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)('%s decodes to packed RGB', async (format) => {
    const bytes = await (await card()).toFormat(format).toBuffer();
    const frame = await decodeStill(bytes);
    expect([frame.width, frame.height]).toEqual([64, 48]);
    expect(frame.data.length).toBe(64 * 48 * 3);
    // Left pixel red, right pixel blue (lossy formats: loose bounds).
    expect(frame.data[0]).toBeGreaterThan(150);
    expect(frame.data[(10 * 64 + 60) * 3 + 2]).toBeGreaterThan(150);
  });

  it('drops alpha and expands grey to RGB', async () => {
    const grey = await (await card()).greyscale().png().toBuffer();
    expect((await decodeStill(grey)).data.length).toBe(64 * 48 * 3);
    const rgba = await (await card()).ensureAlpha(0.5).png().toBuffer();
    expect((await decodeStill(rgba)).data.length).toBe(64 * 48 * 3);
  });

  it('applies the EXIF orientation', async () => {
    const rotated = await (await card()).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const frame = await decodeStill(rotated);
    expect([frame.width, frame.height]).toEqual([48, 64]);
    // Orientation 6 = rotate 90 degrees clockwise to display: the red (left) half ends up on top.
    expect(frame.data[(2 * 48 + 24) * 3]).toBeGreaterThan(150);
    expect(frame.data[(60 * 48 + 24) * 3 + 2]).toBeGreaterThan(150);
  });
});

describe('decode errors are coded', () => {
  it('0-byte file -> FILE_EMPTY', async () => {
    const file = path.join(dir, 'empty.jpg');
    await writeFile(file, Buffer.alloc(0));
    expect(await codeOf(decodeStillFile(file))).toBe('FILE_EMPTY');
    expect(await codeOf(decodeStill(new Uint8Array(0)))).toBe('FILE_EMPTY');
  });

  it('a PDF renamed .jpg -> UNSUPPORTED_TYPE naming the PDF', async () => {
    const file = path.join(dir, 'statement.jpg');
    await writeFile(file, '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n');
    await expect(decodeStillFile(file)).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/PDF/) });
  });

  it('GIF, BMP, HEIC, video and plain text -> UNSUPPORTED_TYPE', async () => {
    const gif = await (await card()).gif().toBuffer();
    expect(await codeOf(decodeStill(gif))).toBe('UNSUPPORTED_TYPE');
    expect(sniffType(Buffer.from('BM\u0000\u0000')).kind).toBe('other');
    const mp4 = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 0, 0]);
    expect(sniffType(mp4)).toEqual({ kind: 'other', name: 'an MP4 video' });
    expect(await codeOf(decodeStill(Buffer.from('hello, not an image')))).toBe('UNSUPPORTED_TYPE');
  });

  it('truncated JPEG -> CORRUPT_IMAGE', async () => {
    expect(await codeOf(decodeStill(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe('CORRUPT_IMAGE');
  });

  it('garbage behind a valid signature -> CORRUPT_IMAGE', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    expect(await codeOf(decodeStill(bytes))).toBe('CORRUPT_IMAGE');
  });

  it('6 MB file -> FILE_TOO_LARGE from the size alone; --max-bytes raises the limit', async () => {
    const file = path.join(dir, 'big.jpg');
    const big = Buffer.alloc(6 * 1024 * 1024, 0);
    jpeg.copy(big, 0, 0, 4);
    await writeFile(file, big);
    expect(await codeOf(readStillFile(file))).toBe('FILE_TOO_LARGE');
    expect(await codeOf(decodeStill(big))).toBe('FILE_TOO_LARGE');
    // Under a raised limit the same bytes are read, then found not to be an image.
    expect(await codeOf(decodeStillFile(file, { maxBytes: 7 * 1024 * 1024 }))).toBe('CORRUPT_IMAGE');
  });

  it('missing file -> FILE_NOT_FOUND', async () => {
    expect(await codeOf(decodeStillFile(path.join(dir, 'nope.png')))).toBe('FILE_NOT_FOUND');
  });
});
