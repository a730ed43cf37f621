// The bench's turns: every runtime sees the same frames, block by block, and a reference that sees fewer frames
// simply drops out of the later blocks.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCK_FRAMES, interleavedBlocks } from '../../src/cli/bench/schedule';

describe('bench schedule', () => {
  it('runs block 0 through every runtime in order, then block 1, and so on', () => {
    expect(interleavedBlocks([5, 5], 2)).toEqual([
      { runtime: 0, from: 0, to: 2 },
      { runtime: 1, from: 0, to: 2 },
      { runtime: 0, from: 2, to: 4 },
      { runtime: 1, from: 2, to: 4 },
      { runtime: 0, from: 4, to: 5 },
      { runtime: 1, from: 4, to: 5 },
    ]);
  });

  it('gives every runtime each of its frames exactly once, also when it sees fewer frames than the others', () => {
    const counts = [200, 200, 37, 0];
    const seen = counts.map(() => [] as number[]);
    for (const turn of interleavedBlocks(counts, DEFAULT_BLOCK_FRAMES)) {
      for (let i = turn.from; i < turn.to; i++) seen[turn.runtime].push(i);
    }
    counts.forEach((count, runtime) => expect(seen[runtime]).toEqual([...Array(count).keys()]));
  });

  it('goes frame by frame with a block of 1, as the bench did before blocks', () => {
    expect(interleavedBlocks([2, 1], 1)).toEqual([
      { runtime: 0, from: 0, to: 1 },
      { runtime: 1, from: 0, to: 1 },
      { runtime: 0, from: 1, to: 2 },
    ]);
  });

  it('refuses a block that is not a positive whole number of frames', () => {
    for (const block of [0, -1, 1.5, Number.NaN]) expect(() => interleavedBlocks([3], block)).toThrow(RangeError);
  });
});
