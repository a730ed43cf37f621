// Fake-camera clips for Chromium (--use-file-for-fake-video-capture), made from fixture videos with ffmpeg into a
// temp dir (never committed). Chromium loops the clip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './paths';

const require = createRequire(import.meta.url);

export const FIXTURES = process.env.LIVENESS_FIXTURES ?? resolve(REPO_ROOT, '..', 'shared', 'fixtures');

export interface ClipSpec {
  name: string;
  /** Fixture video, relative to the fixtures folder. */
  source: string;
  startS: number;
  durationS: number;
  /** Extra ffmpeg filters after scaling to 640x480 (e.g. the darkening for the retry path). */
  filters?: string[];
  /** Play the source this many extra times (ffmpeg -stream_loop) to make a clip longer than the source. */
  loops?: number;
}

/** A frontal webcam-style selfie clip (Krzysiek354's real video), 640x480 at 15 fps. */
export const FACE_CLIP: ClipSpec = { name: 'face', source: 'Krzysiek354__Python_Face_Detection/videos/real.mp4', startS: 1, durationS: 6 };
/**
 * The same clip, darkened until the face luminance is far below what the kiosk accepts. Its attempt runs the whole
 * positioning window, so it lasts 28 s with fresh sensor-like noise on every frame: Chromium loops a shorter clip,
 * and the kiosk's stream checks rightly catch a looped recording (src/liveness/stream-integrity.ts).
 */
export const DARK_CLIP: ClipSpec = {
  ...FACE_CLIP,
  name: 'face-dark-28s-noise',
  durationS: 28,
  loops: 3,
  filters: ['eq=brightness=-0.55:contrast=0.45', 'noise=alls=4:allf=t'],
};

export function ffmpegPath(): string {
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** Makes (once per machine boot) the y4m for a clip spec and returns its path. */
export function makeClip(spec: ClipSpec): string {
  const dir = join(tmpdir(), 'liveness-e2e-clips');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${spec.name}.y4m`);
  if (existsSync(out)) return out;
  const filters = ['scale=-2:480', 'crop=640:480', 'fps=15', ...(spec.filters ?? []), 'format=yuv420p'];
  execFileSync(
    ffmpegPath(),
    [
      '-y',
      '-loglevel',
      'error',
      ...(spec.loops ? ['-stream_loop', String(spec.loops)] : []),
      '-ss',
      String(spec.startS),
      '-t',
      String(spec.durationS),
      '-i',
      resolve(FIXTURES, spec.source),
      '-an',
      '-vf',
      filters.join(','),
      `${out}.tmp.y4m`,
    ],
    { stdio: 'inherit' },
  );
  execFileSync('mv', [`${out}.tmp.y4m`, out]);
  return out;
}
