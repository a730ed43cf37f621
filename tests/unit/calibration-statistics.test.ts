// Error rates with 95% intervals: Wilson against published values, rule of three where no error was seen.
import { describe, expect, it } from 'vitest';
import { formatProportion, proportion, wilsonInterval } from '../../src/node/calibration/statistics';

describe('proportions with 95% intervals', () => {
  it('Wilson matches the textbook values (5/10: 0.2366-0.7634; 2/16: 0.0350-0.3604)', () => {
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.2366, 4);
    expect(hi).toBeCloseTo(0.7634, 4);
    const [lo2, hi2] = wilsonInterval(2, 16);
    expect(lo2).toBeCloseTo(0.035, 3);
    expect(hi2).toBeCloseTo(0.3604, 3);
  });

  it('no error seen gives the rule-of-three bound 3/n, not a 0% certainty', () => {
    expect(proportion(0, 20)).toEqual({ errors: 0, attempts: 20, rate: 0, low: 0, high: 0.15, method: 'rule_of_three' });
    expect(proportion(0, 2).high).toBe(1);
    expect(formatProportion(proportion(0, 20))).toBe('0.0% [0.0-15.0, rule of 3] (0/20)');
  });

  it('over no attempts there is no rate, and a count that is not a proportion is refused', () => {
    expect(proportion(0, 0).rate).toBeNull();
    expect(formatProportion(proportion(0, 0))).toBe('- (0/0)');
    expect(() => proportion(3, 2)).toThrow(RangeError);
    expect(() => proportion(-1, 2)).toThrow(RangeError);
  });

  it('every interval holds its rate, and all-errors stays inside 0-1', () => {
    for (let n = 1; n <= 40; n++) {
      for (let k = 0; k <= n; k++) {
        const p = proportion(k, n);
        expect(p.low!).toBeLessThanOrEqual(p.rate!);
        expect(p.high!).toBeGreaterThanOrEqual(p.rate!);
        expect(p.low!).toBeGreaterThanOrEqual(0);
        expect(p.high!).toBeLessThanOrEqual(1);
      }
    }
  });
});
