import { describe, expect, it } from 'vitest';
import {
  blockFramesOf,
  compareWithPrevious,
  describeSlowdown,
  MIN_COMPARABLE_MS,
  runsOf,
  SLOWDOWN_WARN_FRACTION,
  trackedMedians,
  whyNotComparable,
} from '../../src/cli/bench/history';

const result = (detect: number, total: number, peer = 300) => ({
  measured_at: '2026-11-29T19:00:00.000Z',
  pipeline: { median_ms: total, p95_ms: total * 2 },
  stages: { detect: { median_ms: detect, p95_ms: 9 }, metrics: { median_ms: 0.05, p95_ms: 0.1 } },
  peer: { median_ms: peer, p95_ms: 400, library: 'human' },
  reference: { median_ms: 50, stages: { detect: { median_ms: 20 } } },
});

describe('bench history', () => {
  it('tracks our medians by path and leaves out the peer and the reference runtime', () => {
    expect(trackedMedians(result(2, 8))).toEqual({ pipeline: 8, 'stages.detect': 2, 'stages.metrics': 0.05 });
  });

  it('names a stage that slowed by more than 10% and only that one', () => {
    const slow = compareWithPrevious(result(2, 8), result(2.5, 8.4));
    expect(slow).toEqual([{ figure: 'stages.detect', previous_ms: 2, current_ms: 2.5, change: 0.25 }]);
    expect(describeSlowdown(slow[0], '2026-11-29T19:00:00.000Z')).toMatch(
      /warning: stages\.detect median 2\.5 ms is 25% slower than the previous result/,
    );
  });

  it('stays quiet at exactly the threshold, on speed-ups, on timer-noise figures and on a slower peer', () => {
    const edge = 8 * (1 + SLOWDOWN_WARN_FRACTION);
    expect(compareWithPrevious(result(2, 8), result(1, edge))).toEqual([]);
    expect(compareWithPrevious(result(2, 8, 100), result(2, 8, 900))).toEqual([]);
    const noisy = result(2, 8);
    noisy.stages.metrics.median_ms = 0.15;
    expect(compareWithPrevious(result(2, 8), noisy)).toEqual([]);
    // A sub-millisecond wait between two threads (the iris stage) moves by more than 10% from run to run.
    const before = { ...result(2, 8), stages: { iris: { median_ms: MIN_COMPARABLE_MS - 0.01 } } };
    const after = { ...result(2, 8), stages: { iris: { median_ms: 3 * MIN_COMPARABLE_MS } } };
    expect(compareWithPrevious(before, after)).toEqual([]);
  });

  it('ignores figures the previous run did not have (a part of the bench was skipped)', () => {
    const current = { ...result(2, 8), worker_round_trip: { median_ms: 12 } };
    expect(compareWithPrevious(result(2, 8), current)).toEqual([]);
    expect(compareWithPrevious(null, current)).toEqual([]);
  });
});

describe('bench history across schedules', () => {
  it('compares results measured in the same turns, and a result without block_frames as frame by frame', () => {
    expect(whyNotComparable({ block_frames: 20 }, { block_frames: 20 })).toBeUndefined();
    expect(whyNotComparable({ measured_at: 'then' }, { block_frames: 1 })).toBeUndefined();
    expect(blockFramesOf(null)).toBe(1);
  });

  it('says why results measured in other turns are not compared', () => {
    expect(whyNotComparable({ pipeline: { median_ms: 10 } }, { block_frames: 20 })).toBe(
      'the previous result was measured in turns of 1 frame(s) per runtime, this one in turns of 20',
    );
  });

  it('does not compare results from another CPU or core count, and compares one that does not name its CPU', () => {
    const here = { block_frames: 20, cpu: 'AMD EPYC', cores: 2 };
    expect(whyNotComparable({ ...here }, here)).toBeUndefined();
    expect(whyNotComparable({ block_frames: 20, cores: 2 }, here)).toBeUndefined();
    expect(whyNotComparable({ ...here, cpu: 'Intel(R) Xeon(R) Platinum' }, here)).toBe(
      'the previous result was measured on another machine (Intel(R) Xeon(R) Platinum, 2 cores; this one AMD EPYC, 2 cores): measure the baseline again on this machine',
    );
    expect(whyNotComparable({ ...here, cores: 4 }, here)).toMatch(/another machine \(AMD EPYC, 4 cores; this one AMD EPYC, 2 cores\)/);
  });

  it('does not compare medians over another number of frames (another set of faces)', () => {
    expect(whyNotComparable({ block_frames: 20, frames: 30 }, { block_frames: 20, frames: 200 })).toBe(
      'the previous result timed 30 frames, this one 200',
    );
    expect(whyNotComparable({ block_frames: 20, frames: 200 }, { block_frames: 20, frames: 200 })).toBeUndefined();
  });

  it('does not compare the median of several runs with a result of another number of runs', () => {
    expect(runsOf({ block_frames: 20 })).toBe(1);
    expect(whyNotComparable({ block_frames: 20, runs: 3 }, { block_frames: 20, runs: 3 })).toBeUndefined();
    expect(whyNotComparable({ block_frames: 20 }, { block_frames: 20, runs: 3 })).toBe(
      'the previous result is the median of 1 run(s), this one of 3',
    );
  });
});
