// Test and tool time only: a fixture clip as the kiosk would receive it (640-wide JPEG frames with their capture
// times), and the same clip made into the injected streams the camera-trust checks must catch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import sharp from 'sharp';

export interface ClipFrame {
  /** Capture time from the clip's own timestamps (ms from the first frame kept). */
  timestampMs: number;
  jpeg: Uint8Array;
}

export interface ClipStreamOptions {
  startS?: number;
  durationS?: number;
  /** Resample to this rate (ffmpeg fps filter); without it every frame keeps its recorded timestamp. */
  fps?: number;
}

/** The live fixture clips the stream checks were measured on (relative to the fixtures folder). */
export const LIVE_CLIPS = [
  'Krzysiek354__Python_Face_Detection/videos/real.mp4',
  'repeating__Blink-Detector/video.mp4',
  'ZubairCracksCode__anit-spoofing/videos/real.mov',
  'lestari15__CNN-face-detection/videos/real.mp4',
] as const;

/** Decodes a clip into 640-wide JPEG frames with each frame's presentation time (from ffmpeg's showinfo). */
export function clipFrames(file: string, options: ClipStreamOptions = {}): ClipFrame[] {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-clip-frames-'));
  try {
    const filters = ['scale=640:-2', ...(options.fps ? [`fps=${options.fps}`] : []), 'settb=1/1000', 'showinfo'];
    const args = ['-hide_banner', '-loglevel', 'info', '-ss', String(options.startS ?? 0)];
    if (options.durationS) args.push('-t', String(options.durationS));
    args.push(
      '-i',
      file,
      '-an',
      '-vf',
      filters.join(','),
      '-vsync',
      'passthrough',
      '-r',
      '1000',
      '-f',
      'image2',
      '-q:v',
      '3',
      join(dir, '%05d.jpg'),
    );
    const run = spawnSync(ffmpegInstaller.path, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${run.stderr.slice(-500)}`);
    const times = [...run.stderr.matchAll(/pts_time:\s*(-?[0-9.]+)/g)].map((match) => Number(match[1]));
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.jpg'))
      .sort();
    if (times.length !== files.length) throw new Error(`ffmpeg reported ${times.length} frame times for ${files.length} frames of ${file}`);
    return files.map((name, i) => ({ timestampMs: (times[i] - times[0]) * 1000, jpeg: new Uint8Array(readFileSync(join(dir, name))) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first frame's picture held for the whole clip (a still fed as a camera), times unchanged. */
export function frozen(frames: ClipFrame[]): ClipFrame[] {
  return frames.map((frame) => ({ timestampMs: frame.timestampMs, jpeg: frames[0].jpeg }));
}

/** The first `loopLength` frames played again and again for as many frames as the clip has, times unchanged. */
export function looped(frames: ClipFrame[], loopLength: number): ClipFrame[] {
  return frames.map((frame, i) => ({ timestampMs: frame.timestampMs, jpeg: frames[i % loopLength].jpeg }));
}

/** The same frames on a synthetic clock: exactly `intervalMs` apart (a script feeding a file). */
export function exactClock(frames: ClipFrame[], intervalMs: number): ClipFrame[] {
  return frames.map((frame, i) => ({ timestampMs: i * intervalMs, jpeg: frame.jpeg }));
}

/** Every frame but its centre (the face) replaced by the first frame: a moving face composited on a still. */
export async function stillBackground(frames: ClipFrame[], centreFraction = 0.45): Promise<ClipFrame[]> {
  const base = await sharp(frames[0].jpeg).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = base.info;
  const x0 = Math.round((width * (1 - centreFraction)) / 2);
  const y0 = Math.round((height * (1 - centreFraction)) / 2);
  const x1 = width - x0;
  const y1 = height - y0;
  const out: ClipFrame[] = [];
  for (const frame of frames) {
    const current = await sharp(frame.jpeg).raw().toBuffer();
    const mixed = Buffer.from(base.data);
    for (let y = y0; y < y1; y++)
      current.copy(mixed, (y * width + x0) * channels, (y * width + x0) * channels, (y * width + x1) * channels);
    const jpeg = await sharp(mixed, { raw: { width, height, channels } }).jpeg({ quality: 85 }).toBuffer();
    out.push({ timestampMs: frame.timestampMs, jpeg: new Uint8Array(jpeg) });
  }
  return out;
}

/** A clip whose size changes halfway (another source switched in mid-attempt). */
export async function resized(frames: ClipFrame[], width: number, height: number): Promise<ClipFrame[]> {
  const half = Math.floor(frames.length / 2);
  const out = frames.slice(0, half);
  for (const frame of frames.slice(half)) {
    out.push({
      timestampMs: frame.timestampMs,
      jpeg: new Uint8Array(await sharp(frame.jpeg).resize(width, height, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer()),
    });
  }
  return out;
}

/**
 * A still photo as a camera would deliver it: each frame with its own read noise (uniform, +-`noise` grey levels)
 * and a frame clock with a few ms of jitter, so tests about something else (the blocklist) are not caught by the
 * stream-injection checks that a repeated still rightly trips. Seeded: the same frames every run.
 */
export async function stillAsCamera(
  jpeg: Uint8Array,
  count: number,
  options: { intervalMs?: number; noise?: number; seed?: number } = {},
): Promise<ClipFrame[]> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  let state = options.seed ?? 20261129;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const noise = options.noise ?? 2;
  const frames: ClipFrame[] = [];
  for (let i = 0; i < count; i++) {
    const noisy = Buffer.alloc(data.length);
    for (let p = 0; p < data.length; p++) noisy[p] = Math.max(0, Math.min(255, data[p] + Math.round((random() * 2 - 1) * noise)));
    const encoded = await sharp(noisy, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .jpeg({ quality: 90 })
      .toBuffer();
    frames.push({
      timestampMs: (options.intervalMs ?? 100) * (i + 1) + Math.round((random() * 2 - 1) * 4 * 10) / 10,
      jpeg: new Uint8Array(encoded),
    });
  }
  return frames;
}
