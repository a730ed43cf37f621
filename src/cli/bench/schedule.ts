// The order in which the bench's runtimes see its frames: blocks of consecutive frames, runtime after runtime.

/**
 * Frames per block. Each runtime analyses a block of consecutive frames before the next runtime takes the same block,
 * so within a block a runtime runs as it does deployed (alone, with its own weights and buffers in the caches), and
 * the blocks still alternate every few hundred milliseconds, so a burst of load from elsewhere slows every runtime
 * alike. Frame by frame (`--block 1`), every frame of the engine starts with the caches full of the other three
 * runtimes' weights: on a 2-core Intel Xeon, a still 11.4 ms frame by frame against 8.2-9.0 ms in blocks of 20, with
 * Human at 59-64 ms either way; on a 2-core AMD EPYC, 6.0 against 4.7-5.1 ms (README "Speed" and the round before
 * it; re-measure with `liveness bench --block 1` and `--block 20`).
 */
export const DEFAULT_BLOCK_FRAMES = 20;

/** One runtime's turn: it analyses frames [from, to) one after the other. */
export interface BlockTurn {
  runtime: number;
  from: number;
  to: number;
}

/**
 * The turns for runtimes that see the first `counts[r]` frames each (a reference may see fewer), in blocks of `block`
 * frames: block 0 through every runtime in order, then block 1, and so on.
 */
export function interleavedBlocks(counts: readonly number[], block: number): BlockTurn[] {
  if (!Number.isInteger(block) || block < 1) throw new RangeError(`block must be a positive integer, not ${block}`);
  const turns: BlockTurn[] = [];
  const longest = Math.max(0, ...counts);
  for (let from = 0; from < longest; from += block) {
    counts.forEach((count, runtime) => {
      if (from < count) turns.push({ runtime, from, to: Math.min(count, from + block) });
    });
  }
  return turns;
}
