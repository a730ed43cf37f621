import { describe, expect, it } from 'vitest';
import {
  analyzeFlashResponse,
  checkPhotosensitiveSafety,
  flashDurationMs,
  FLASH_LUMINANCE_MAX,
  FLASH_LUMINANCE_MIN,
  FLASH_MIN_STEP_MS,
  FLASH_NO_RESPONSE_ACTIVITY,
  FLASH_VARIATION_3D,
  FLASH_VARIATION_FLAT,
  FLASH_REST_RGB,
  generateFlashSequence,
  redRatio,
  relativeLuminance,
  type FlashFrame,
} from '../../../src/liveness/flash';
import { cryptoRandom, seededRandom } from '../../../src/liveness/random';
import type { FlashSequence } from '../../../src/shared/result';
import { flashSequenceSchema } from '../../../src/shared/result';
import { gaussianSource } from '../../../src/testkit/synthetic-face';
import { emittedAt, GAINS_3D, GAINS_FLAT, GAINS_NONE, reflectedRegions } from '../../../src/testkit/synthetic-frames';

describe('flash sequence generation and photosensitive safety (WCAG 2.3.1)', () => {
  it('every sequence over 3000 seeds passes the checker, with no general or red flash at all', () => {
    for (let i = 0; i < 3000; i++) {
      const sequence = generateFlashSequence(seededRandom(`wcag-${i}`));
      const report = checkPhotosensitiveSafety(sequence);
      expect(report.safe, `seed ${sequence.seed}: ${report.violations.join('; ')}`).toBe(true);
      expect(report.maxGeneralFlashesPerSecond).toBe(0);
      expect(report.maxRedFlashesPerSecond).toBe(0);
      expect(report.saturatedRedSteps).toEqual([]);
      expect(report.minStepMs).toBeGreaterThanOrEqual(FLASH_MIN_STEP_MS);
      for (const step of sequence.steps) {
        const y = relativeLuminance(step.rgb);
        expect(y).toBeGreaterThanOrEqual(FLASH_LUMINANCE_MIN);
        expect(y).toBeLessThanOrEqual(FLASH_LUMINANCE_MAX);
        expect(redRatio(step.rgb)).toBeLessThan(0.8);
      }
    }
  });

  it('sequences from the platform CSPRNG are valid result objects, safe, and differ every time', () => {
    const seeds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const sequence = generateFlashSequence(cryptoRandom);
      expect(flashSequenceSchema.parse(sequence)).toEqual(sequence);
      expect(checkPhotosensitiveSafety(sequence).safe).toBe(true);
      seeds.add(sequence.seed);
    }
    expect(seeds.size).toBe(200);
  });

  it('the recorded seed regenerates the same sequence', () => {
    const a = generateFlashSequence(cryptoRandom);
    expect(generateFlashSequence(cryptoRandom, { seed: a.seed })).toEqual(a);
  });

  it('the rest grey is inside the luminance band', () => {
    const y = relativeLuminance(FLASH_REST_RGB);
    expect(y).toBeGreaterThanOrEqual(FLASH_LUMINANCE_MIN);
    expect(y).toBeLessThanOrEqual(FLASH_LUMINANCE_MAX);
  });

  it('rejects a hand-made black/white strobe (general flash) and a red/black strobe (red flash)', () => {
    const strobe: FlashSequence = {
      seed: 'strobe',
      steps: Array.from({ length: 10 }, (_, i) => ({ rgb: i % 2 ? [0, 0, 0] : [255, 255, 255], durationMs: 100 })),
    };
    const report = checkPhotosensitiveSafety(strobe);
    expect(report.safe).toBe(false);
    expect(report.maxGeneralFlashesPerSecond).toBeGreaterThan(3);
    const red: FlashSequence = {
      seed: 'red',
      steps: Array.from({ length: 10 }, (_, i) => ({ rgb: i % 2 ? [40, 0, 0] : [255, 0, 0], durationMs: 120 })),
    };
    const redReport = checkPhotosensitiveSafety(red, [40, 0, 0]);
    expect(redReport.safe).toBe(false);
    expect(redReport.maxRedFlashesPerSecond).toBeGreaterThan(3);
    expect(redReport.saturatedRedSteps.length).toBeGreaterThan(0);
  });

  it('accepts a slow black/white alternation (2 changes a second) and counts its flashes', () => {
    const slow: FlashSequence = {
      seed: 'slow',
      steps: Array.from({ length: 6 }, (_, i) => ({ rgb: i % 2 ? [0, 0, 0] : [255, 255, 255], durationMs: 500 })),
    };
    const report = checkPhotosensitiveSafety(slow, [0, 0, 0]);
    expect(report.safe).toBe(true);
    expect(report.maxGeneralFlashesPerSecond).toBeGreaterThan(0);
    expect(report.maxGeneralFlashesPerSecond).toBeLessThanOrEqual(3);
  });
});

/** Frames at 30 fps of a face lit by `litBy` with a reflection lag, analysed against `asked`. */
function framesFor(
  asked: FlashSequence,
  litBy: FlashSequence | null,
  gains: typeof GAINS_3D,
  lagMs: number,
  seed: number,
  options: { backgroundGain?: number; albedos?: Parameters<typeof reflectedRegions>[5] } = {},
): FlashFrame[] {
  const noise = gaussianSource(seed);
  const frames: FlashFrame[] = [];
  const total = flashDurationMs(asked) + 300;
  for (let t = 0; t < total; t += 33) {
    const emitted = litBy ? emittedAt(litBy, t - lagMs) : FLASH_REST_RGB;
    frames.push({
      timestampMs: 5000 + t,
      regions: reflectedRegions(emitted, gains, options.backgroundGain ?? 0.05, noise, 0.4, options.albedos),
    });
  }
  return frames;
}

/** Skin that differs from region to region (a ruddy nose and cheeks, a paler forehead, a shadowed chin). */
const UNEVEN_SKIN = {
  forehead: [0.7, 0.55, 0.47],
  left_cheek: [0.66, 0.4, 0.33],
  right_cheek: [0.6, 0.38, 0.32],
  nose: [0.72, 0.45, 0.36],
  chin: [0.45, 0.32, 0.27],
};

describe('flash response analysis (regression, generator-tuned: synthetic reflections the constants were tuned on)', () => {
  it('orders the scores: 3D face following the sequence > flat print > no response and another sequence', () => {
    for (let i = 0; i < 20; i++) {
      const asked = generateFlashSequence(seededRandom(`asked-${i}`));
      const other = generateFlashSequence(seededRandom(`other-${i}`));
      const genuine = analyzeFlashResponse(framesFor(asked, asked, GAINS_3D, 120, i), asked, 5000);
      const flat = analyzeFlashResponse(framesFor(asked, asked, GAINS_FLAT, 120, i), asked, 5000);
      const screen = analyzeFlashResponse(framesFor(asked, asked, GAINS_NONE, 120, i), asked, 5000);
      const replay = analyzeFlashResponse(framesFor(asked, other, GAINS_3D, 120, i), asked, 5000);
      expect(genuine.score, `seed ${i}`).toBeGreaterThanOrEqual(75);
      expect(genuine.verdict).toBe('live');
      expect(genuine.attack).toBe(false);
      expect(Math.abs(genuine.lagMs - 120)).toBeLessThanOrEqual(40);
      expect(flat.score).toBeLessThan(50);
      expect(flat.score).toBeLessThan(genuine.score);
      expect(flat.verdict).toBe('flat');
      expect(screen.score).toBeLessThan(flat.score);
      expect(screen.verdict).toBe('no_response');
      expect(screen.attack).toBe(false);
      expect(replay.score).toBeLessThan(50);
      expect(replay.score).toBeLessThan(genuine.score);
    }
  });

  it('skin-colour differences across a flat print do not make it look 3D (log colour cancels the albedo)', () => {
    for (let i = 0; i < 10; i++) {
      const asked = generateFlashSequence(seededRandom(`uneven-${i}`));
      const print = analyzeFlashResponse(framesFor(asked, asked, GAINS_FLAT, 90, i, { albedos: UNEVEN_SKIN }), asked, 5000);
      const face = analyzeFlashResponse(framesFor(asked, asked, GAINS_3D, 90, i, { albedos: UNEVEN_SKIN }), asked, 5000);
      expect(print.spatialVariation, `seed ${i}`).toBeLessThan(FLASH_VARIATION_FLAT);
      expect(print.score).toBeLessThan(50);
      expect(face.spatialVariation, `seed ${i}`).toBeGreaterThan(FLASH_VARIATION_3D);
      expect(face.score).toBeGreaterThanOrEqual(75);
    }
  });

  it('a print that fills the view responds like its own margin (the "background"): weak against the background', () => {
    const asked = generateFlashSequence(seededRandom('big-print'));
    // The background beside the face is the print's own paper: it catches the same light as the face regions.
    const print = analyzeFlashResponse(framesFor(asked, asked, GAINS_FLAT, 90, 5, { backgroundGain: GAINS_FLAT.forehead }), asked, 5000);
    expect(print.meanAmplitude).toBeLessThan(FLASH_NO_RESPONSE_ACTIVITY);
    expect(print.score).toBeLessThan(50);
  });

  it('flags a flat, uniform, strongly following response as an attack with high confidence', () => {
    const asked = generateFlashSequence(seededRandom('flat-attack'));
    const flat = analyzeFlashResponse(framesFor(asked, asked, GAINS_FLAT, 60, 3), asked, 5000);
    expect(flat.attack).toBe(true);
    expect(flat.spatialVariation).toBeLessThan(FLASH_VARIATION_FLAT / 2);
  });

  it('too few frames is insufficient, not an attack', () => {
    const asked = generateFlashSequence(seededRandom('few'));
    const frames = framesFor(asked, asked, GAINS_3D, 60, 4).slice(0, 5);
    expect(analyzeFlashResponse(frames, asked, 5000)).toMatchObject({ verdict: 'insufficient', score: 0, attack: false });
  });
});
