import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/liveness/linalg';
import {
  analyzePlanarity,
  applyHomography,
  fitHomography,
  homographyResidual,
  stablePoints,
  type Mat3,
  type Point2,
} from '../../../src/liveness/planar';
import { gaussianSource, headLandmarks, photoLandmarks } from '../../../src/testkit/synthetic-face';

describe('linear algebra', () => {
  it('Jacobi eigen-decomposition satisfies A v = lambda v with orthonormal vectors', () => {
    const noise = gaussianSource(5);
    const b = Array.from({ length: 9 }, () => Array.from({ length: 9 }, () => noise()));
    const a = b.map((_, i) => b.map((__, j) => b.reduce((s, row) => s + row[i] * row[j], 0)));
    const { values, vectors } = symmetricEigen(a);
    for (let k = 0; k < 9; k++) {
      const av = a.map((row) => row.reduce((s, x, j) => s + x * vectors[k][j], 0));
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k] * vectors[k][i], 8));
      expect(vectors[k].reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 10);
      if (k > 0) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
    }
  });

  it('fitHomography recovers a known homography exactly from clean points', () => {
    const h: Mat3 = [1.1, 0.05, 12, -0.04, 0.95, -7, 0.0004, -0.0002, 1];
    const src: Point2[] = Array.from({ length: 20 }, (_, i) => [100 + 13 * (i % 5), 80 + 17 * Math.floor(i / 5)]);
    const dst = src.map((p) => applyHomography(h, p));
    const fit = fitHomography(src, dst);
    fit.forEach((v, i) => expect(v).toBeCloseTo(h[i], 6));
    expect(homographyResidual(src, dst)).toBeLessThan(1e-9);
  });
});

describe('planar-attack check (regression, generator-tuned: synthetic heads and photos the constants were tuned on)', () => {
  const yaws = [0, 1, -1, 0, 6, 12, 18, 24, 28, 22, 14, 6, 0, -6, -14, -22, -28, -20, -10, 0];

  it('a turning 3D head scores high and a flat photo moved and tilted rigidly scores low, over several noise levels', () => {
    for (const noisePx of [0.3, 0.8, 1.5]) {
      for (let seed = 1; seed <= 5; seed++) {
        const noise = gaussianSource(seed * 97);
        const headRef = stablePoints(headLandmarks(0, 0, { noisePx, noise }));
        const head = analyzePlanarity(
          headRef,
          yaws.map((y, i) => stablePoints(headLandmarks(y, (i % 3) - 1, { noisePx, noise, offset: [i * 2, -i] }))),
        );
        const photoRef = stablePoints(photoLandmarks(0, 0, 0, { noisePx, noise }));
        const photo = analyzePlanarity(
          photoRef,
          yaws.map((y, i) =>
            stablePoints(photoLandmarks(y * 1.5, (i % 5) * 4 - 8, (i % 4) - 2, { noisePx, noise, offset: [i * 4, i * -2] })),
          ),
        );
        expect(head.score, `head noise ${noisePx} seed ${seed}`).toBeGreaterThanOrEqual(90);
        expect(head.attack).toBe(false);
        expect(photo.score, `photo noise ${noisePx} seed ${seed}`).not.toBeNull();
        expect(photo.score!, `photo noise ${noisePx} seed ${seed}`).toBeLessThanOrEqual(30);
        expect(head.score! - photo.score!).toBeGreaterThanOrEqual(60);
      }
    }
  });

  it('a photo tilted clearly with little landmark noise is a high-confidence attack', () => {
    const noise = gaussianSource(11);
    const ref = stablePoints(photoLandmarks(0, 0, 0, { noisePx: 0.3, noise }));
    const photo = analyzePlanarity(
      ref,
      yaws.map((y, i) => stablePoints(photoLandmarks(y * 1.8, 10 * Math.sin(i), 0, { noisePx: 0.3, noise }))),
    );
    expect(photo.attack).toBe(true);
  });

  it('no motion: the check abstains (null) rather than guessing', () => {
    const noise = gaussianSource(12);
    const ref = stablePoints(headLandmarks(0, 0, { noisePx: 0.5, noise }));
    const still = analyzePlanarity(
      ref,
      Array.from({ length: 15 }, () => stablePoints(headLandmarks(0.5, 0, { noisePx: 0.5, noise }))),
    );
    expect(still.score).toBeNull();
    expect(still.attack).toBe(false);
  });
});
