// The real engine (ONNX models in a worker thread) on real fixture faces.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameAnalysis } from '../../src/shared/analysis';
import { decodeStill } from '../../src/node/engine/decode';
import { decodeVideo } from '../../src/node/engine/video';
import { createEngine, type WorkerEngine } from '../../src/node/engine/index';
import { passiveDecision } from '../../src/liveness/passive';
import { PAD_CUE_NAMES } from '../../src/node/engine/pad-cues';
import { padFusionFeatureNames } from '../../src/node/engine/pad-fusion';
import { PAD_CNN_COMPONENTS } from '../../src/node/engine/pipeline';
import { fixturePaths, fixturesDir } from '../../src/testkit/fixtures';

const fixtures = fixturesDir;

/** Genuine whole images listed in labels.csv. */
function genuineImages(): string[] {
  return fixturePaths('real', 'image').map((p) => path.join(fixtures, p));
}

let engine: WorkerEngine;

beforeAll(async () => {
  engine = await createEngine();
});
afterAll(async () => {
  await engine?.close();
});

async function analyzeFile(file: string): Promise<FrameAnalysis> {
  // Press photos can exceed the 5 MB intake limit; the limit is tested elsewhere.
  return engine.analyzeImage(await readFile(file), { maxBytes: 64 * 1024 * 1024 });
}

describe('engine on genuine whole images', () => {
  it('finds a face with a plausible box and landmarks on every genuine photo', async () => {
    const files = genuineImages();
    expect(files.length).toBeGreaterThan(40);
    const missed: string[] = [];
    for (const file of files) {
      const analysis = await analyzeFile(file);
      if (analysis.faces.length === 0) {
        missed.push(path.basename(file));
        continue;
      }
      const face = analysis.faces[0];
      const [x, y, w, h] = face.bbox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(analysis.width + 0.5);
      expect(y + h).toBeLessThanOrEqual(analysis.height + 0.5);
      expect(w / analysis.width).toBeGreaterThan(0.03);
      expect(h / w).toBeGreaterThan(0.7);
      expect(h / w).toBeLessThan(2);
      expect(face.confidence).toBeGreaterThan(0.5);
      expect(face.landmarks).toHaveLength(478);
      // Every point (mesh and irises) inside the box, with a little slack for points clipped at the frame edge.
      const slack = 0.05 * w;
      for (const [px, py] of face.landmarks) {
        expect(px).toBeGreaterThanOrEqual(x - slack);
        expect(px).toBeLessThanOrEqual(x + w + slack);
        expect(py).toBeGreaterThanOrEqual(y - slack);
        expect(py).toBeLessThanOrEqual(y + h + slack);
      }
      // Unmirrored photo: the subject's right eye (33) is on the image left of their left eye (263).
      expect(face.landmarks[33][0]).toBeLessThan(face.landmarks[263][0]);
      expect(face.pad.score).toBeGreaterThanOrEqual(0);
      expect(face.pad.score).toBeLessThanOrEqual(100);
      // The pipeline computes the components the committed fusion reads (and skips the others).
      for (const name of padFusionFeatureNames()) expect(Number.isFinite(face.pad.components[name]), name).toBe(true);
      expect(
        Object.keys(face.pad.components)
          .filter((k) => !padFusionFeatureNames().includes(k))
          .every((k) => PAD_CUE_NAMES.includes(k)),
      ).toBe(true);
      expect(face.quality.score).toBeGreaterThan(0);
      expect(Object.keys(analysis.timings)).toEqual(expect.arrayContaining(['decode', 'detect', 'landmarks', 'iris', 'pad', 'total']));
    }
    expect(missed).toEqual([]);
  });

  it('yaw and roll change sign between a photo and its mirror image', async () => {
    const file = path.join(fixtures, 'ageitgey__face_recognition/examples/knn_examples/train/kit_harington/john2.jpeg');
    const bytes = await readFile(file);
    const mirrored = await sharp(bytes).flop().jpeg({ quality: 95 }).toBuffer();
    const [a, b] = [await engine.analyzeImage(bytes), await engine.analyzeImage(mirrored)];
    const [pa, pb] = [a.faces[0].pose, b.faces[0].pose];
    expect(Math.abs(pa.yaw)).toBeGreaterThan(8);
    expect(Math.sign(pb.yaw)).toBe(-Math.sign(pa.yaw));
    expect(Math.abs(pa.yaw + pb.yaw)).toBeLessThan(0.35 * Math.abs(pa.yaw));
    expect(Math.abs(pa.roll + pb.roll)).toBeLessThan(3);
    // The box mirrors too.
    expect(a.faces[0].bbox[0] + a.faces[0].bbox[2] / 2).toBeCloseTo(a.width - (b.faces[0].bbox[0] + b.faces[0].bbox[2] / 2), -1);
  });

  it.each([
    [90, 270],
    [180, 180],
    [270, 90],
  ])('finds a face turned %d degrees and says to turn it %d degrees clockwise', async (turn, upright) => {
    const file = path.join(fixtures, 'serengil__deepface/tests/unit/dataset/img10.jpg');
    const turned = await sharp(file).rotate(turn).jpeg({ quality: 95 }).toBuffer();
    const decision = passiveDecision(await engine.analyzeImage(turned));
    expect(decision.user_image.entities).toHaveLength(1);
    expect(decision.user_image.best_angle).toBe(upright);
  });

  it('reports no face on a frame without one', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } })
      .png()
      .toBuffer();
    const analysis = await engine.analyzeImage(blank);
    expect(analysis.faces).toEqual([]);
    expect(analysis.frameLuminance).toBeGreaterThan(40);
  });

  it("computes every CNN and cue when asked (padComponents 'all', for fitting), the CNNs as probabilities", async () => {
    const full = await createEngine({ pipeline: { padComponents: 'all' } });
    try {
      const analysis = await full.analyzeImage(await readFile(path.join(fixtures, 'serengil__deepface/tests/unit/dataset/img10.jpg')));
      const { components } = analysis.faces[0].pad;
      expect(Object.keys(components).sort()).toEqual([...PAD_CNN_COMPONENTS, ...PAD_CUE_NAMES].sort());
      for (const cnn of PAD_CNN_COMPONENTS) {
        expect(components[cnn]).toBeGreaterThanOrEqual(0);
        expect(components[cnn]).toBeLessThanOrEqual(1);
      }
    } finally {
      await full.close();
    }
  });
});

describe('engine runtime', () => {
  it('does not block the event loop while it analyses', async () => {
    const bytes = await readFile(path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg'));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const before = ticks;
      for (let i = 0; i < 3; i++) await engine.analyzeImage(bytes);
      // Inference runs in the worker: the main thread keeps turning and the timer keeps firing.
      expect(ticks - before).toBeGreaterThan(3);
    } finally {
      clearInterval(timer);
    }
  });

  it('transfers frames without detaching the caller buffer unless asked', async () => {
    const frame = await decodeStill(await readFile(path.join(fixtures, 'ageitgey__face_recognition/examples/obama_small.jpg')));
    const length = frame.data.length;
    const kept = await engine.analyzeFrame(frame, { irises: false, timestampMs: 40 });
    expect(frame.data.length).toBe(length);
    expect(kept.timestampMs).toBe(40);
    expect(kept.faces[0].landmarks).toHaveLength(468);
    await engine.analyzeFrame(frame, { transfer: true });
    expect(frame.data.length).toBe(0); // handed over, zero-copy
  });

  it('rejects a frame whose buffer does not match its size', async () => {
    await expect(engine.analyzeFrame({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('reports a worker crash as ENGINE_FAILURE and restarts the worker', async () => {
    const frame = await decodeStill(await readFile(path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg')));
    const restarts = engine.restarts;
    const inFlight = engine.analyzeFrame(frame);
    const crashed = engine.crashWorkerForTest();
    await expect(inFlight).rejects.toMatchObject({ code: 'ENGINE_FAILURE' });
    await crashed;
    expect(engine.restarts).toBe(restarts + 1);
    const after = await engine.analyzeFrame(frame);
    expect(after.faces).toHaveLength(1);
  });

  it('restarts a worker that hangs past the frame timeout', async () => {
    const impatient = await createEngine({ frameTimeoutMs: 1 });
    try {
      const frame = await decodeStill(await readFile(path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg')));
      await expect(impatient.analyzeFrame(frame)).rejects.toMatchObject({ code: 'ENGINE_FAILURE' });
      expect(impatient.restarts).toBe(1);
    } finally {
      await impatient.close();
    }
  });

  it('tracks a face across consecutive clip frames without running the detector on every frame', async () => {
    const frames = await decodeVideo(path.join(fixtures, 'ZubairCracksCode__anit-spoofing/videos/real.mov'), { fps: 15, maxFrames: 20 });
    let detected = 0;
    let found = 0;
    for (const [i, frame] of frames.entries()) {
      const analysis = await engine.analyzeFrame(frame, { trackId: 'clip-1', timestampMs: frame.timestampMs, irises: i % 2 === 0 });
      if (analysis.faces.length === 1) found++;
      if (analysis.timings.detect !== undefined) detected++;
      expect(analysis.timestampMs).toBe(frame.timestampMs);
    }
    expect(found).toBeGreaterThanOrEqual(frames.length - 1);
    expect(detected).toBeLessThan(frames.length / 2);
  });

  it('names every model version', () => {
    const versions = engine.modelVersions();
    for (const name of ['blazeface', 'facemesh', 'iris', 'antispoof', 'liveness']) expect(versions[name]).toMatch(/@.+sha256:[0-9a-f]{12}/);
  });
});
