// Tracked camera frames skip the mesh and iris models while the face has not moved. Held to: the work is really
// skipped on a still person, the landmarks stay within a pixel or two of a fresh mesh, and the challenges found in
// the selfie clips are exactly those found with every model run on every frame.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FrameAnalysis } from '../../src/shared/analysis';
import { analyzeClip } from '../../src/liveness/clip';
import { parseLivenessConfig } from '../../src/shared/config';
import type { RgbFrame } from '../../src/node/engine/api';
import { loadPipeline } from '../../src/node/engine/sessions';
import { decodeVideo } from '../../src/node/engine/video';
import type { FramePipeline } from '../../src/node/engine/pipeline';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
/** The kiosk camera's rate as the renderer sends frames (FRAME_INTERVAL_MS 66). */
const KIOSK_FPS = 15;

let fresh: FramePipeline;
let reusing: FramePipeline;
beforeAll(async () => {
  fresh = await loadPipeline({ config: { reuseStillFaces: false } });
  reusing = await loadPipeline();
});

async function track(pipeline: FramePipeline, frames: (RgbFrame & { timestampMs: number })[], trackId: string): Promise<FrameAnalysis[]> {
  const out: FrameAnalysis[] = [];
  for (const f of frames) out.push(await pipeline.analyze(f, { trackId, timestampMs: f.timestampMs }));
  return out;
}

const clip = (name: string, maxFrames = 150) => decodeVideo(path.join(fixtures, name), { fps: KIOSK_FPS, maxWidth: 640, maxFrames });

describe('still faces on tracked camera frames', () => {
  it('skips the mesh and iris models on a person holding still, and stays within 2 px of a fresh mesh', async () => {
    const frames = await clip('lestari15__CNN-face-detection/videos/real.mp4', 60);
    const before = reusing.stillFramesReused;
    const withReuse = await track(reusing, frames, 'still-a');
    const reused = reusing.stillFramesReused - before;
    const everyFrame = await track(fresh, frames, 'still-b');
    expect(reused).toBeGreaterThan(frames.length / 4);
    let worst = 0;
    for (let i = 0; i < frames.length; i++) {
      const a = withReuse[i].faces[0];
      const b = everyFrame[i].faces[0];
      expect(Boolean(a)).toBe(Boolean(b));
      if (!a || !b) continue;
      let sum = 0;
      for (let p = 0; p < b.landmarks.length; p++)
        sum += Math.hypot(a.landmarks[p][0] - b.landmarks[p][0], a.landmarks[p][1] - b.landmarks[p][1]);
      worst = Math.max(worst, sum / b.landmarks.length);
    }
    expect(worst).toBeLessThan(2);
  }, 300_000);

  it('finds the same challenges in the selfie clips as running every model on every frame', async () => {
    const config = parseLivenessConfig({ liveness_mode: 'active' });
    for (const name of ['ZubairCracksCode__anit-spoofing/videos/real.mov', 'Krzysiek354__Python_Face_Detection/videos/real.mp4']) {
      const frames = await clip(name);
      const events = async (p: FramePipeline, id: string) => analyzeClip(await track(p, frames, id), config).events.map((e) => e.challenge);
      const expected = await events(fresh, `${name}-fresh`);
      expect(expected.length, name).toBeGreaterThan(0);
      expect(await events(reusing, `${name}-reuse`), name).toEqual(expected);
    }
  }, 600_000);
});
