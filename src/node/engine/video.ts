// Decode clips (mp4, webm, mov) into RgbFrames with ffmpeg: streamed PPM frames on a pipe, bounded memory.
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { CodedError } from '../../shared/errors';
import type { RgbFrame } from './api';
import { sniffType } from './decode';

export const DEFAULT_MAX_VIDEO_BYTES = 200 * 1024 * 1024;

export interface VideoFrame extends RgbFrame {
  /** Presentation time of the frame in ms from the start of the clip. */
  timestampMs: number;
  index: number;
}

export interface VideoDecodeOptions {
  /** Frames per second to sample (ffmpeg's fps filter). Default 10. */
  fps?: number;
  /** Frames wider than this are scaled down, keeping the aspect ratio. Default 640. */
  maxWidth?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  maxBytes?: number;
}

export type VideoContainer = 'mp4' | 'mov' | 'webm' | 'avi' | 'mpegts' | 'ogg' | 'flv';

/** Identify a clip container by its leading bytes; the extension is not trusted (some .mp4 files are WebM). */
export function sniffVideo(bytes: Uint8Array): VideoContainer | null {
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  // AVI: what OpenCV's VideoWriter writes (MJPG, XVID) in evaluation sets and lab recordings.
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'avi';
  if (bytes.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (bytes.length >= 3 && ascii(0, 3) === 'FLV') return 'flv';
  // MPEG transport stream: a sync byte every 188 bytes.
  if (bytes.length >= 189 && bytes[0] === 0x47 && bytes[188] === 0x47) return 'mpegts';
  if (bytes.length >= 12) {
    const box = String.fromCharCode(...bytes.subarray(4, 8));
    if (box === 'ftyp') return String.fromCharCode(...bytes.subarray(8, 12)) === 'qt  ' ? 'mov' : 'mp4';
    // Old QuickTime files may start with another atom.
    if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(box)) return 'mov';
  }
  return null;
}

async function validateVideoFile(file: string, maxBytes: number): Promise<VideoContainer> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (err) {
    throw new CodedError('FILE_NOT_FOUND', `The file ${file} does not exist or cannot be read.`, { cause: err });
  }
  if (size === 0) throw new CodedError('FILE_EMPTY', 'The file is empty (0 bytes).');
  if (size > maxBytes) {
    throw new CodedError(
      'FILE_TOO_LARGE',
      `The clip is ${(size / 1048576).toFixed(1)} MB; clips may be at most ${(maxBytes / 1048576).toFixed(0)} MB.`,
    );
  }
  const handle = await open(file, 'r');
  const head = new Uint8Array(256);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const container = sniffVideo(head);
  if (container) return container;
  const sniffed = sniffType(head);
  const what = sniffed.kind === 'still' ? `a ${sniffed.type.toUpperCase()} image` : sniffed.name;
  throw new CodedError(
    'UNSUPPORTED_TYPE',
    `${what ? `This is ${what}, not` : 'This file is not'} a supported clip; use MP4, MOV, WebM/MKV, AVI, MPEG-TS, Ogg or FLV.`,
  );
}

/** Parses a stream of binary PPM (P6) images, as ffmpeg's image2pipe writes them. */
class PpmStreamParser {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): RgbFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const frames: RgbFrame[] = [];
    for (;;) {
      const header = parsePpmHeader(this.buffer);
      if (!header) break;
      const end = header.dataOffset + header.width * header.height * 3;
      if (this.buffer.length < end) break;
      // Copy out so the frame owns a tight ArrayBuffer that can be transferred to the worker.
      frames.push({ data: this.buffer.slice(header.dataOffset, end), width: header.width, height: header.height });
      this.buffer = this.buffer.subarray(end);
    }
    return frames;
  }

  get pendingBytes(): number {
    return this.buffer.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function parsePpmHeader(buf: Uint8Array): { width: number; height: number; dataOffset: number } | null {
  // "P6" <ws> width <ws> height <ws> maxval <single ws>
  const fields: number[] = [];
  let i = 2;
  if (buf.length < 2) return null;
  if (buf[0] !== 0x50 || buf[1] !== 0x36) throw new CodedError('CORRUPT_VIDEO', 'The decoder produced an unexpected frame format.');
  while (fields.length < 3) {
    while (i < buf.length && isSpace(buf[i])) i++;
    let value = 0;
    let digits = 0;
    while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) {
      value = value * 10 + (buf[i] - 0x30);
      i++;
      digits++;
    }
    if (i >= buf.length) return null;
    if (digits === 0) throw new CodedError('CORRUPT_VIDEO', 'The decoder produced an unexpected frame header.');
    fields.push(value);
  }
  if (i >= buf.length) return null;
  if (fields[2] !== 255) throw new CodedError('CORRUPT_VIDEO', 'The decoder produced frames that are not 8-bit.');
  return { width: fields[0], height: fields[1], dataOffset: i + 1 };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Stream the frames of a clip; stop early by breaking out of the loop (ffmpeg is killed). */
export async function* decodeVideoFrames(file: string, options: VideoDecodeOptions = {}): AsyncGenerator<VideoFrame> {
  const fps = options.fps ?? 10;
  const maxWidth = Math.max(16, Math.round(options.maxWidth ?? 640));
  if (!(fps > 0 && fps <= 240)) throw new CodedError('INVALID_ARGUMENT', `fps must be between 0 and 240, not ${fps}.`);
  await validateVideoFile(file, options.maxBytes ?? DEFAULT_MAX_VIDEO_BYTES);

  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-i',
    file,
    '-an',
    '-sn',
    '-vf',
    `fps=${fps},scale=w='min(${maxWidth},iw)':h=-2:flags=bilinear`,
    '-f',
    'image2pipe',
    '-vcodec',
    'ppm',
    'pipe:1',
  ];
  if (options.maxFrames !== undefined) args.splice(args.indexOf('-f'), 0, '-frames:v', String(options.maxFrames));
  const child = spawn(ffmpegInstaller.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4000) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });

  const parser = new PpmStreamParser();
  let index = 0;
  let finished = false;
  try {
    // for-await keeps ffmpeg's pipe paused while the consumer works: memory stays bounded.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const frame of parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        yield { ...frame, index, timestampMs: (index * 1000) / fps };
        index++;
      }
    }
    const code = await exited;
    finished = true;
    if (code !== 0 || index === 0) {
      const detail = stderr.split('\n').find((line) => line.trim()) ?? '';
      throw new CodedError(
        'CORRUPT_VIDEO',
        index === 0 ? 'The clip contains no decodable video frames.' : 'The clip is damaged and could not be decoded to the end.',
        { cause: new Error(detail.slice(0, 300)) },
      );
    }
  } finally {
    if (!finished) {
      child.kill('SIGKILL');
      await exited.catch(() => null);
    }
  }
}

/** All sampled frames of a clip in memory (use decodeVideoFrames for long clips). */
export async function decodeVideo(file: string, options: VideoDecodeOptions = {}): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeVideoFrames(file, options)) frames.push(frame);
  return frames;
}
