// The bench's input: real fixture faces at 640x480 (photos and crops letterboxed, frames sampled from the clips).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { CodedError } from '../../shared/errors';
import type { RgbFrame } from '../../node/engine/api';
import { decodeVideo } from '../../node/engine/video';

export const BENCH_WIDTH = 640;
export const BENCH_HEIGHT = 480;

function fixturesDir(): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
}

async function toBenchFrame(input: sharp.Sharp): Promise<RgbFrame> {
  const { data, info } = await input
    .rotate()
    .resize(BENCH_WIDTH, BENCH_HEIGHT, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

const rawInput = (f: RgbFrame): sharp.Sharp => sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } });

function readLabels(): { dir: string; rows: string[][] } {
  const dir = fixturesDir();
  try {
    return { dir, rows: readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')) };
  } catch {
    throw new CodedError('FILE_NOT_FOUND', `No fixtures at ${dir} (set LIVENESS_FIXTURES).`);
  }
}

/** Consecutive frames (15 fps) of the genuine clips, as a kiosk camera delivers them, for the tracked figure. */
export async function clipSequences(count: number): Promise<RgbFrame[][]> {
  const { dir, rows } = readLabels();
  const clips = rows.filter((r) => r[2] === 'video' && r[1] === 'real');
  const per = Math.ceil(count / Math.max(1, clips.length));
  const sequences: RgbFrame[][] = [];
  for (const clip of clips) {
    const decoded = await decodeVideo(path.join(dir, clip[0]), { fps: 15, maxWidth: BENCH_WIDTH, maxFrames: per });
    sequences.push(await Promise.all(decoded.map((f) => toBenchFrame(rawInput(f)))));
  }
  return sequences;
}

/** Fixture faces at 640x480: genuine and spoof photos/crops letterboxed, and frames sampled from the clips. */
export async function benchFrames(count: number): Promise<RgbFrame[]> {
  const { dir, rows } = readLabels();
  const stills = rows.filter((r) => (r[2] === 'image' || r[2] === 'crop') && (r[1] === 'real' || r[1] === 'spoof'));
  const clips = rows.filter((r) => r[2] === 'video');
  const frames: RgbFrame[] = [];
  // Half from clips (webcam-like), half from photos and crops.
  const perClip = Math.ceil(count / 2 / Math.max(1, clips.length));
  for (const clip of clips) {
    const decoded = await decodeVideo(path.join(dir, clip[0]), { fps: 4, maxWidth: BENCH_WIDTH, maxFrames: perClip });
    for (const f of decoded) frames.push(await toBenchFrame(rawInput(f)));
  }
  for (let i = 0; frames.length < count; i++) frames.push(await toBenchFrame(sharp(path.join(dir, stills[i % stills.length][0]))));
  return frames.slice(0, count);
}

/** A frame as the kiosk camera sends it: JPEG (the renderer encodes at this quality). */
export async function toJpeg(frame: RgbFrame): Promise<Uint8Array> {
  return new Uint8Array(await rawInput(frame).jpeg({ quality: 85 }).toBuffer());
}
