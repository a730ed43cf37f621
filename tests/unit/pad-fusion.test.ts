import { describe, expect, it } from 'vitest';
import { CodedError } from '../../src/shared/errors';
import { defaultPadFusion, fusePad, fusePadWith, padFusionFeatureNames, parsePadFusion } from '../../src/node/engine/pad-fusion';

const model = parsePadFusion({
  version: 1,
  features: [
    { name: 'cnn_antispoof', transform: 'logit', mean: 0, std: 1, weight: 1.5 },
    { name: 'saturation', transform: 'identity', mean: 0.2, std: 0.05, weight: 0.8 },
  ],
  bias: 0.3,
  calibration: {
    knots: [
      [-4, 0],
      [0, 50],
      [2, 75],
      [5, 100],
    ],
  },
});

describe('fusePadWith', () => {
  it('is monotonic in a positive-weight feature', () => {
    const scores = [0.05, 0.2, 0.4, 0.6, 0.8, 0.95].map((p) => fusePadWith(model, { cnn_antispoof: p, saturation: 0.2 }));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeGreaterThan(scores[i - 1]);
  });

  it('clamps to 0-100 for extreme inputs', () => {
    expect(fusePadWith(model, { cnn_antispoof: 1, saturation: 10 })).toBe(100);
    expect(fusePadWith(model, { cnn_antispoof: 0, saturation: -10 })).toBe(0);
    const mid = fusePadWith(model, { cnn_antispoof: 0.5, saturation: 0.2 - (0.3 / 0.8) * 0.05 });
    expect(mid).toBeCloseTo(50, 6); // log-odds 0 sits on the knot (0, 50)
  });

  it('refuses components that lack a feature the model needs', () => {
    expect(() => fusePadWith(model, { cnn_antispoof: 0.5 })).toThrow(CodedError);
    expect(() => fusePadWith(model, { cnn_antispoof: 0.5, saturation: Number.NaN })).toThrow(/saturation/);
  });
});

describe('parsePadFusion', () => {
  it('refuses a json with missing features or fields', () => {
    expect(() =>
      parsePadFusion({
        version: 1,
        bias: 0,
        calibration: {
          knots: [
            [0, 0],
            [1, 100],
          ],
        },
      }),
    ).toThrow(CodedError);
    expect(() =>
      parsePadFusion({
        version: 1,
        features: [],
        bias: 0,
        calibration: {
          knots: [
            [0, 0],
            [1, 100],
          ],
        },
      }),
    ).toThrow(CodedError);
    expect(() =>
      parsePadFusion({
        version: 1,
        features: [{ name: 'x', transform: 'identity', mean: 0, weight: 1 }],
        bias: 0,
        calibration: {
          knots: [
            [0, 0],
            [1, 100],
          ],
        },
      }),
    ).toThrow(/std/);
  });

  it('refuses non-monotonic calibration and duplicated features', () => {
    const feature = { name: 'x', transform: 'identity', mean: 0, std: 1, weight: 1 };
    expect(() =>
      parsePadFusion({
        version: 1,
        features: [feature],
        bias: 0,
        calibration: {
          knots: [
            [0, 80],
            [1, 20],
          ],
        },
      }),
    ).toThrow(CodedError);
    expect(() =>
      parsePadFusion({
        version: 1,
        features: [feature, feature],
        bias: 0,
        calibration: {
          knots: [
            [0, 0],
            [1, 100],
          ],
        },
      }),
    ).toThrow(/twice/);
  });
});

describe('committed pad-fusion.json', () => {
  it('parses and scores a component set that has every named feature', () => {
    const names = padFusionFeatureNames();
    expect(names.length).toBeGreaterThan(0);
    const model = defaultPadFusion();
    const atMeans = Object.fromEntries(
      model.features.map((f) => [
        f.name,
        f.transform === 'logit' ? 1 / (1 + Math.exp(-f.mean)) : f.transform === 'log10' ? 10 ** f.mean : f.mean,
      ]),
    );
    const score = fusePad(atMeans);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
  });
});
