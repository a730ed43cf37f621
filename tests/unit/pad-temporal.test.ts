import { describe, expect, it } from 'vitest';
import { computeTemporalPadCues, temporalSample, TEMPORAL_MIN_FRAMES, type TemporalSample } from '../../src/node/engine/pad/temporal-cues';

/** A deterministic pseudo-random sequence (no Math.random in tests). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Samples at `fps` for `seconds`: skin and ring colours from functions of time (seconds). */
function sequence(
  fps: number,
  seconds: number,
  skin: (t: number) => [number, number, number],
  ring: ((t: number) => [number, number, number]) | null,
): TemporalSample[] {
  const out: TemporalSample[] = [];
  for (let k = 0; k <= seconds * fps; k++) {
    const t = k / fps;
    out.push({ timestampMs: t * 1000, skin: skin(t), ring: ring ? ring(t) : null });
  }
  return out;
}

describe('computeTemporalPadCues (synthetic signals)', () => {
  const rnd = noise(7);
  // A 1.2 Hz blood-volume pulse: skin reddens and darkens slightly in green with each beat (as in PPG).
  const pulsing = (t: number): [number, number, number] => {
    const p = Math.sin(2 * Math.PI * 1.2 * t);
    return [180 + 0.6 * p + 0.3 * rnd(), 130 - 0.9 * p + 0.3 * rnd(), 110 + 0.2 * p + 0.3 * rnd()];
  };
  const still = (): [number, number, number] => [180 + 0.3 * rnd(), 130 + 0.3 * rnd(), 110 + 0.3 * rnd()];
  const wall = (): [number, number, number] => [90 + 0.3 * rnd(), 95 + 0.3 * rnd(), 100 + 0.3 * rnd()];

  it('finds a pulse in pulsing skin and none in still skin', () => {
    const live = computeTemporalPadCues(sequence(15, 8, pulsing, wall));
    const flat = computeTemporalPadCues(sequence(15, 8, still, wall));
    expect(live).not.toBeNull();
    expect(flat).not.toBeNull();
    expect(live!.pulse_snr).toBeGreaterThan(flat!.pulse_snr + 6);
    expect(live!.pulse_excess).toBeGreaterThan(3);
  });

  it('raises flicker for a brightness beat above 4 Hz', () => {
    const beat = (t: number): [number, number, number] => {
      const f = 3 * Math.sin(2 * Math.PI * 6.5 * t);
      return [180 + f, 130 + f, 110 + f];
    };
    const steady = computeTemporalPadCues(sequence(15, 8, still, wall));
    const flickering = computeTemporalPadCues(sequence(15, 8, beat, wall));
    expect(flickering!.flicker).toBeGreaterThan(steady!.flicker + 1);
  });

  it('correlates face and background brightness when both follow the same light', () => {
    const light = (t: number) => 4 * Math.sin(2 * Math.PI * 0.5 * t) + 2 * Math.sin(2 * Math.PI * 1.7 * t);
    const cues = computeTemporalPadCues(
      sequence(
        15,
        8,
        (t) => [180 + light(t), 130 + light(t), 110 + light(t)],
        (t) => [90 + light(t), 95 + light(t), 100 + light(t)],
      ),
    );
    expect(cues!.face_bg_correlation).toBeGreaterThan(0.9);
  });

  it('gives no background cues without a ring, and nothing for a sequence too short or too slow', () => {
    const noRing = computeTemporalPadCues(sequence(15, 8, pulsing, null));
    expect(Number.isNaN(noRing!.pulse_bg_snr)).toBe(true);
    expect(Number.isNaN(noRing!.face_bg_correlation)).toBe(true);
    expect(computeTemporalPadCues(sequence(15, 2, pulsing, wall))).toBeNull();
    expect(computeTemporalPadCues(sequence(4, 20, pulsing, wall))).toBeNull();
    expect(computeTemporalPadCues(sequence(15, 8, pulsing, wall).slice(0, TEMPORAL_MIN_FRAMES - 1))).toBeNull();
  });

  it('reduces a frame to skin and ring means, with no ring when the face fills the frame', () => {
    const w = 64;
    const h = 48;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set([200, 100, 50], i * 3);
    const frame = { data, width: w, height: h };
    const inFrame = temporalSample(frame, [24, 16, 16, 16], 40);
    expect(inFrame.skin).toEqual([200, 100, 50]);
    expect(inFrame.ring).toEqual([200, 100, 50]);
    expect(temporalSample(frame, [0, 0, w, h], 0).ring).toBeNull();
  });
});
