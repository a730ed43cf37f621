import { describe, expect, it } from 'vitest';
import { clamp01, mean, median, percentileOfSorted } from '../../src/shared/stats';

// Expected values worked out by hand, not with the code under test.
describe('shared stats', () => {
  it('median: middle value for odd counts, mean of the two middle for even counts, 0 for none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
  it('median does not reorder its input', () => {
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });
  it('mean', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });
  it('clamp01 clamps and maps non-finite values to 0', () => {
    expect([clamp01(-0.5), clamp01(0.25), clamp01(7), clamp01(Number.NaN), clamp01(Infinity)]).toEqual([0, 0.25, 1, 0, 0]);
  });
  it('percentileOfSorted interpolates between ranks', () => {
    expect(percentileOfSorted([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(percentileOfSorted([10, 20, 30, 40], 50)).toBe(25);
    expect(percentileOfSorted([10, 20, 30, 40, 50], 95)).toBeCloseTo(48, 10);
    expect(percentileOfSorted([], 50)).toBe(0);
  });
});
