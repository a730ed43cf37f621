import { describe, expect, it } from 'vitest';
import { medianOf, medianOfRuns } from '../../src/cli/bench/runs';

describe('bench runs merged', () => {
  it('takes the median of numbers, the mean of the two middle ones for an even count, to 0.01', () => {
    expect(medianOf([5.1, 4.7, 4.9])).toBe(4.9);
    expect(medianOf([3, 1])).toBe(2);
    expect(medianOf([1.001, 1.004])).toBe(1);
    expect(() => medianOf([])).toThrow(RangeError);
  });

  it('merges every figure of the runs, nested, and keeps the first run for text, lists and missing parts', () => {
    const run = (still: number, tracked: number, at: string, peer: unknown) => ({
      measured_at: at,
      cpu: 'AMD EPYC',
      iris_thread: true,
      pipeline: { median_ms: still, p95_ms: still * 3 },
      pipeline_tracked: { median_ms: tracked, frames: 135 },
      stages: { detect: { median_ms: still / 5 } },
      memory: { samples: [{ frames: 100, rss_mb: still * 100 }] },
      peer,
    });
    const merged = medianOfRuns([
      run(5.5, 3.2, 'first', { median_ms: 40 }),
      run(4.5, 2.8, 'second', null),
      run(5, 3.4, 'third', { median_ms: 42 }),
    ]);
    expect(merged).toEqual({
      measured_at: 'first',
      cpu: 'AMD EPYC',
      iris_thread: true,
      pipeline: { median_ms: 5, p95_ms: 15 },
      pipeline_tracked: { median_ms: 3.2, frames: 135 },
      stages: { detect: { median_ms: 1 } },
      memory: { samples: [{ frames: 100, rss_mb: 550 }] },
      peer: { median_ms: 40 },
    });
    expect(() => medianOfRuns([])).toThrow(RangeError);
  });
});
