// The one home for tuned constants: every entry documented, and the modules really use it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLASH_TUNING, DEFAULT_PLANAR_TUNING, TUNABLES } from '../../src/shared/tunables';
import { TURN_DEGREES, SMILE_RISE } from '../../src/liveness/challenges';
import { FLASH_VARIATION_FLAT, FLASH_NO_RESPONSE_ACTIVITY } from '../../src/liveness/flash';
import { PLANAR_MIN_MOTION, analyzePlanarity, type Point2 } from '../../src/liveness/planar';
import { ATTACK_FLOOR } from '../../src/liveness/passive';
import { MIN_FACE_QUALITY } from '../../src/liveness/scoring';
import { SHARP_LAPLACIAN_VARIANCE } from '../../src/node/engine/face-metrics';

describe('tunables', () => {
  it('every tuned constant says what it means, what it was tuned on and which command re-tunes it', () => {
    for (const [name, t] of Object.entries(TUNABLES)) {
      expect(Number.isFinite(t.value), name).toBe(true);
      expect(t.meaning.length, name).toBeGreaterThan(10);
      expect(t.tunedOn.length, name).toBeGreaterThan(5);
      expect(t.retune, name).toMatch(/npx|liveness/);
    }
  });

  it('the decision core and the engine read their thresholds from it', () => {
    expect(TURN_DEGREES).toBe(TUNABLES.turnDegrees.value);
    expect(SMILE_RISE).toBe(TUNABLES.smileRise.value);
    expect(FLASH_VARIATION_FLAT).toBe(TUNABLES.flashVariationFlat.value);
    expect(FLASH_NO_RESPONSE_ACTIVITY).toBe(DEFAULT_FLASH_TUNING.noResponseActivity);
    expect(PLANAR_MIN_MOTION).toBe(DEFAULT_PLANAR_TUNING.minMotion);
    expect(ATTACK_FLOOR).toBe(TUNABLES.padAttackFloor.value);
    expect(MIN_FACE_QUALITY).toBe(TUNABLES.minFaceQuality.value);
    expect(SHARP_LAPLACIAN_VARIANCE).toBe(TUNABLES.sharpLaplacianVariance.value);
  });

  it('a site tuning passed to the planar check changes its verdict (the hook calibrate uses)', () => {
    // A flat grid moved by a pure perspective change: a plane, with a clear motion.
    const grid: Point2[] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) grid.push([i * 10, j * 10]);
    const warp = (k: number): Point2[] =>
      grid.map(([x, y]) => {
        const w = 1 + k * x * 0.004;
        return [(x + k * 3) / w, (y + k * y * 0.05) / w];
      });
    const frames = [grid, grid, grid, grid, warp(1), warp(2), warp(3), warp(4)];
    const standard = analyzePlanarity(grid, frames);
    expect(standard.motionFrames).toBeGreaterThanOrEqual(2);
    const strict = analyzePlanarity(grid, frames, { ...DEFAULT_PLANAR_TUNING, minMotion: 10 });
    expect(strict.score).toBeNull();
  });
});
