// Validate and decode still images (jpeg, png, webp, tiff) into RgbFrames; everything else gets a coded error.
import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { CodedError } from '../../shared/errors';
import type { RgbFrame } from './api';

export const DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Decompression-bomb guard: a 5 MB file can still claim gigapixels. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export const STILL_TYPES = ['jpeg', 'png', 'webp', 'tiff'] as const;
export type StillType = (typeof STILL_TYPES)[number];

export interface DecodeOptions {
  maxBytes?: number;
  /**
   * Default true: the pixels land in a plain ArrayBuffer the caller may transfer to a worker. False: the decoder's own
   * buffer is returned as it is (no 0.9 MB copy per 640x480 frame), for a caller that reads it in place (the worker).
   */
  transferable?: boolean;
}

type Sniffed = { kind: 'still'; type: StillType } | { kind: 'other'; name: string | null };

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

/** Identify a file by its leading bytes (the name's extension is never trusted). */
export function sniffType(bytes: Uint8Array): Sniffed {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'still', type: 'jpeg' };
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) {
    return { kind: 'still', type: 'png' };
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { kind: 'still', type: 'webp' };
  if (b.length >= 4 && ((ascii(b, 0, 2) === 'II' && b[2] === 42 && b[3] === 0) || (ascii(b, 0, 2) === 'MM' && b[2] === 0 && b[3] === 42))) {
    return { kind: 'still', type: 'tiff' };
  }
  if (ascii(b, 0, 5) === '%PDF-') return { kind: 'other', name: 'a PDF document' };
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { kind: 'other', name: 'a GIF image' };
  if (ascii(b, 0, 2) === 'BM') return { kind: 'other', name: 'a BMP image' };
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (/^(heic|heix|hevc|mif1|msf1)$/.test(brand)) return { kind: 'other', name: 'a HEIC/HEIF image' };
    if (/^avi[fs]$/.test(brand)) return { kind: 'other', name: 'an AVIF image' };
    if (brand === 'qt  ') return { kind: 'other', name: 'a QuickTime video' };
    return { kind: 'other', name: 'an MP4 video' };
  }
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3)
    return { kind: 'other', name: 'a WebM/Matroska video' };
  if (ascii(b, 0, 4) === 'PK\u0003\u0004') return { kind: 'other', name: 'a ZIP archive (or an Office document)' };
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { kind: 'other', name: 'a gzip archive' };
  const head = ascii(b, 0, 256).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { kind: 'other', name: 'an SVG drawing' };
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return { kind: 'other', name: 'an HTML page' };
  return { kind: 'other', name: null };
}

function checkSize(size: number, maxBytes: number): void {
  if (size === 0) throw new CodedError('FILE_EMPTY', 'The file is empty (0 bytes).');
  if (size > maxBytes) {
    throw new CodedError(
      'FILE_TOO_LARGE',
      `The file is ${(size / 1048576).toFixed(1)} MB; images may be at most ${(maxBytes / 1048576).toFixed(1)} MB.`,
    );
  }
}

/** Throws the coded error for bytes that are not a supported still; returns the sniffed type otherwise. */
export function validateStill(bytes: Uint8Array, options: DecodeOptions = {}): StillType {
  checkSize(bytes.length, options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES);
  const sniffed = sniffType(bytes);
  if (sniffed.kind === 'still') return sniffed.type;
  const what = sniffed.name ? `This is ${sniffed.name}, not` : 'This file is not';
  throw new CodedError('UNSUPPORTED_TYPE', `${what} a supported image; use JPEG, PNG, WebP or TIFF.`);
}

/** Validate, decode, apply the EXIF orientation and return packed 8-bit RGB. */
export async function decodeStill(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbFrame> {
  const type = validateStill(bytes, options);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate() // EXIF auto-orient
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    // sharp's buffer is externally allocated: only a copy into a plain ArrayBuffer can be transferred to a worker.
    return { data: options.transferable === false ? data : new Uint8Array(data), width: info.width, height: info.height };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(reason)) {
      throw new CodedError('FILE_TOO_LARGE', `The image has more than ${MAX_IMAGE_PIXELS / 1e6} megapixels.`, { cause: err });
    }
    throw new CodedError('CORRUPT_IMAGE', `The ${type.toUpperCase()} image is damaged or truncated and cannot be decoded.`, {
      cause: err,
    });
  }
}

/** Read a still from disk, checking existence and size before reading it (a 50 MB file is never read whole). */
export async function readStillFile(file: string, options: DecodeOptions = {}): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CodedError('FILE_NOT_FOUND', `${file} is not a regular file.`);
    size = info.size;
  } catch (err) {
    if (err instanceof CodedError) throw err;
    throw new CodedError('FILE_NOT_FOUND', `The file ${file} does not exist or cannot be read.`, { cause: err });
  }
  checkSize(size, options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES);
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** File-level helper: stat, read, validate and decode. */
export async function decodeStillFile(file: string, options: DecodeOptions = {}): Promise<RgbFrame> {
  return decodeStill(await readStillFile(file, options), options);
}
