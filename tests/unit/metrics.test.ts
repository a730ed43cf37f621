import { describe, expect, it } from 'vitest';
import { detCurve, equalErrorRate, errorRates, thresholdAtBpcer, type ScoredSample } from '../../src/node/eval/metrics';

const real = (score: number | null): ScoredSample => ({ label: 'real', score });
const spoof = (score: number | null, attack = 'screen'): ScoredSample => ({ label: 'spoof', score, attack });

describe('errorRates', () => {
  // 4 reals: 90, 80, 70, 40; 4 attacks: 85 (screen), 60 (screen), 30 (print), null (no face).
  const samples = [real(90), real(80), real(70), real(40), spoof(85), spoof(60), spoof(30, 'print'), spoof(null, 'print')];

  it('counts accepted attacks and rejected bona fides at a threshold (hand-computed)', () => {
    const r = errorRates(samples, 75);
    // accepted attacks: 85 -> APCER 1/4; rejected reals: 70, 40 -> BPCER 2/4
    expect(r.apcer).toBeCloseTo(0.25);
    expect(r.bpcer).toBeCloseTo(0.5);
    expect(r.acer).toBeCloseTo(0.375);
    expect(r.nReal).toBe(4);
    expect(r.nSpoof).toBe(4);
    expect(r.perAttack.screen).toEqual({ n: 2, accepted: 1, apcer: 0.5 });
    expect(r.perAttack.print).toEqual({ n: 2, accepted: 0, apcer: 0 });
    expect(r.apcerWorstType).toBeCloseTo(0.5);
  });

  it('accepts a score exactly at the threshold (ties count as live)', () => {
    const r = errorRates([real(75), spoof(75)], 75);
    expect(r.bpcer).toBe(0);
    expect(r.apcer).toBe(1);
    const above = errorRates([real(75), spoof(75)], 75.0001);
    expect(above.bpcer).toBe(1);
    expect(above.apcer).toBe(0);
  });

  it('never accepts an unscored sample (no face found)', () => {
    const r = errorRates([real(null), spoof(null)], -Infinity);
    expect(r.bpcer).toBe(1);
    expect(r.apcer).toBe(0);
  });

  it('reports NaN, not 0, for a rate over an empty class', () => {
    const r = errorRates([real(50)], 10);
    expect(r.bpcer).toBe(0);
    expect(Number.isNaN(r.apcer)).toBe(true);
  });
});

describe('thresholdAtBpcer', () => {
  it('picks the strictest threshold with BPCER <= 15% and reports APCER there', () => {
    // 10 reals 10..100; BPCER <= 15% allows rejecting 1 real -> threshold 20 (rejects only 10).
    const reals = Array.from({ length: 10 }, (_, i) => real((i + 1) * 10));
    const attacks = [spoof(15), spoof(25), spoof(95), spoof(5)];
    const r = thresholdAtBpcer([...reals, ...attacks], 0.15);
    expect(r.threshold).toBe(20);
    expect(r.bpcer).toBeCloseTo(0.1);
    expect(r.apcer).toBeCloseTo(0.5); // 25 and 95 accepted
  });

  it('handles tied real scores at the threshold', () => {
    const samples = [real(50), real(50), real(50), real(90), spoof(50), spoof(10)];
    const r = thresholdAtBpcer(samples, 0.15);
    // 90 alone would reject 3/4 reals; 50 accepts all reals and the tied attack.
    expect(r.threshold).toBe(50);
    expect(r.bpcer).toBe(0);
    expect(r.apcer).toBeCloseTo(0.5);
  });
});

describe('detCurve', () => {
  it('runs from accept-all to reject-all and is monotone', () => {
    const samples = [real(90), real(60), spoof(70), spoof(20)];
    const det = detCurve(samples);
    expect(det[0]).toMatchObject({ apcer: 1, bpcer: 0 });
    expect(det[det.length - 1]).toMatchObject({ apcer: 0, bpcer: 1 });
    for (let i = 1; i < det.length; i++) {
      expect(det[i].apcer).toBeLessThanOrEqual(det[i - 1].apcer);
      expect(det[i].bpcer).toBeGreaterThanOrEqual(det[i - 1].bpcer);
    }
    // threshold 70: accepts real 90 and spoof 70 -> APCER 0.5, BPCER 0.5
    expect(det.find((p) => p.threshold === 70)).toMatchObject({ apcer: 0.5, bpcer: 0.5 });
    expect(equalErrorRate(samples)).toBeCloseTo(0.5);
  });
});
