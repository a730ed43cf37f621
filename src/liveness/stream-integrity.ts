// Signs that the frames reaching the engine were injected (a file, a virtual camera, a replayed or frozen stream)
// rather than read off a camera sensor. PURE: the caller turns each frame into a small greyscale thumbnail.
//
// Why these signs: a real sensor never delivers two pixel-identical frames (its read noise differs every frame), so
// identical frames after content changed are a loop, a long run of them is a frozen stream, a region whose temporal
// noise is exactly zero was composited from a still, a frame clock without jitter is a synthetic sender, and a
// camera does not change resolution in the middle of an attempt.
import { tuned } from '../shared/tunables';

/** Thumbnail size every sample must have (80x60: 8x averaging of a 640x480 frame keeps sensor noise measurable). */
export const STREAM_THUMB_WIDTH = 80;
export const STREAM_THUMB_HEIGHT = 60;
/** Side of the square blocks the noise floor is measured in (48 blocks on the thumbnail). */
const NOISE_BLOCK = 10;
/** Fraction of the quietest blocks whose temporal change is the frame pair's noise floor. */
const NOISE_QUANTILE = 0.1;
/** Blocks this close to black or white are clipped on any camera (no noise survives clipping): left out. */
const CLIPPED_MARGIN = 12;
/** Thumbnails kept for loop search (about 60 s at 15 fps; older ones are dropped). */
const MAX_KEPT = 900;

export const INJECTION_CHECKS = ['timing_too_regular', 'no_sensor_noise', 'frozen', 'looped', 'resolution_changed'] as const;
export type InjectionCheck = (typeof INJECTION_CHECKS)[number];

export interface StreamSample {
  /** Frame time on the renderer's clock (ms). */
  timestampMs: number;
  /** Size of the frame as received. */
  width: number;
  height: number;
  /** Greyscale thumbnail, row-major, STREAM_THUMB_WIDTH x STREAM_THUMB_HEIGHT. */
  luma: Uint8Array;
}

export interface StreamVerdict {
  /** The checks that failed (empty: nothing suggests injection). */
  suspected: InjectionCheck[];
  frames: number;
  /** Standard deviation of the intervals between frames (ms); null below the minimum interval count. */
  intervalJitterMs: number | null;
  /** Median over frame pairs of the quietest blocks' mean absolute change (grey levels); null without enough pairs. */
  noiseFloor: number | null;
  /** Longest run of identical consecutive frames (ms). */
  longestFrozenMs: number;
  /** Frames identical to an earlier frame after the picture had changed in between. */
  repeatedFrames: number;
  /** Distinct frame sizes seen, as "WxH". */
  resolutions: string[];
}

export interface StreamTuning {
  identicalMad: number;
  frozenMs: number;
  stillMinFrames: number;
  stillMaxPictures: number;
  loopMinRepeats: number;
  noiseFloorMin: number;
  noiseMinPairs: number;
  timingMinJitterMs: number;
  timingMinIntervals: number;
}

export const DEFAULT_STREAM_TUNING: Readonly<StreamTuning> = Object.freeze({
  identicalMad: tuned('streamIdenticalMad'),
  frozenMs: tuned('streamFrozenMs'),
  stillMinFrames: tuned('streamStillMinFrames'),
  stillMaxPictures: tuned('streamStillMaxPictures'),
  loopMinRepeats: tuned('streamLoopMinRepeats'),
  noiseFloorMin: tuned('streamNoiseFloorMin'),
  noiseMinPairs: tuned('streamNoiseMinPairs'),
  timingMinJitterMs: tuned('streamTimingMinJitterMs'),
  timingMinIntervals: tuned('streamTimingMinIntervals'),
});

interface Kept {
  luma: Uint8Array;
  mean: number;
  /** Index (in the stream) of the first frame of the identical run this frame belongs to. */
  runStart: number;
  index: number;
  timestampMs: number;
}

/** Accumulates one attempt's frames and answers whether the stream looks injected. */
export class StreamIntegrity {
  private readonly kept: Kept[] = [];
  private readonly intervals: number[] = [];
  private readonly pairFloors: number[] = [];
  private readonly resolutions = new Set<string>();
  private count = 0;
  private longestFrozenMs = 0;
  private repeated = 0;
  /** Frames that were the same picture as the one before (a sensor's noise makes every real frame new). */
  private samePictureFrames = 0;

  constructor(private readonly tuning: StreamTuning = DEFAULT_STREAM_TUNING) {}

  push(sample: StreamSample): void {
    if (sample.luma.length !== STREAM_THUMB_WIDTH * STREAM_THUMB_HEIGHT) {
      throw new RangeError(`A stream sample must be a ${STREAM_THUMB_WIDTH}x${STREAM_THUMB_HEIGHT} thumbnail.`);
    }
    this.resolutions.add(`${sample.width}x${sample.height}`);
    const mean = meanOf(sample.luma);
    const previous = this.kept.at(-1);
    let runStart = this.count;
    if (previous) {
      this.intervals.push(sample.timestampMs - previous.timestampMs);
      const change = meanAbsDiff(previous.luma, sample.luma);
      if (change <= this.tuning.identicalMad) {
        runStart = previous.runStart;
        this.samePictureFrames++;
        const runFirst = this.kept.find((k) => k.index === runStart);
        if (runFirst) this.longestFrozenMs = Math.max(this.longestFrozenMs, sample.timestampMs - runFirst.timestampMs);
      } else {
        const floor = quietBlocksChange(previous.luma, sample.luma);
        if (floor !== null) this.pairFloors.push(floor);
        if (this.matchesEarlier(sample.luma, mean, runStart)) this.repeated++;
      }
    }
    this.kept.push({ luma: sample.luma, mean, runStart, index: this.count, timestampMs: sample.timestampMs });
    if (this.kept.length > MAX_KEPT) this.kept.shift();
    this.count++;
  }

  verdict(): StreamVerdict {
    const t = this.tuning;
    const suspected: InjectionCheck[] = [];
    const intervalJitterMs = this.intervals.length >= t.timingMinIntervals ? standardDeviation(this.intervals) : null;
    if (intervalJitterMs !== null && intervalJitterMs < t.timingMinJitterMs) suspected.push('timing_too_regular');
    const noiseFloor = this.pairFloors.length >= t.noiseMinPairs ? median(this.pairFloors) : null;
    if (noiseFloor !== null && noiseFloor < t.noiseFloorMin) suspected.push('no_sensor_noise');
    // However short the attempt, a camera never shows only one or two pictures: a quick decision must not outrun the checks.
    const pictures = this.count - this.samePictureFrames - this.repeated;
    const fewPictures = this.count >= t.stillMinFrames && pictures <= t.stillMaxPictures;
    if (this.longestFrozenMs >= t.frozenMs || (fewPictures && pictures <= 1)) suspected.push('frozen');
    if (this.repeated >= t.loopMinRepeats || (fewPictures && pictures > 1)) suspected.push('looped');
    if (this.resolutions.size > 1) suspected.push('resolution_changed');
    return {
      suspected,
      frames: this.count,
      intervalJitterMs,
      noiseFloor,
      longestFrozenMs: this.longestFrozenMs,
      repeatedFrames: this.repeated,
      resolutions: [...this.resolutions],
    };
  }

  /** A frame identical to one before the current run: the picture changed and came back pixel for pixel. */
  private matchesEarlier(luma: Uint8Array, mean: number, runStart: number): boolean {
    for (const earlier of this.kept) {
      // The prefilter: identical thumbnails have means within the identical threshold.
      if (earlier.index >= runStart - 1 || Math.abs(earlier.mean - mean) > this.tuning.identicalMad) continue;
      if (meanAbsDiff(earlier.luma, luma) <= this.tuning.identicalMad) return true;
    }
    return false;
  }
}

/** Mean absolute difference of two equal-length thumbnails (grey levels). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/**
 * The change of the quietest unclipped blocks between two thumbnails: the temporal noise floor of the static regions;
 * null when every block is clipped (a black or blown-out frame says nothing about noise).
 */
export function quietBlocksChange(a: Uint8Array, b: Uint8Array): number | null {
  const changes: number[] = [];
  for (let by = 0; by + NOISE_BLOCK <= STREAM_THUMB_HEIGHT; by += NOISE_BLOCK) {
    for (let bx = 0; bx + NOISE_BLOCK <= STREAM_THUMB_WIDTH; bx += NOISE_BLOCK) {
      let sum = 0;
      let level = 0;
      for (let y = by; y < by + NOISE_BLOCK; y++) {
        for (let x = bx; x < bx + NOISE_BLOCK; x++) {
          sum += Math.abs(a[y * STREAM_THUMB_WIDTH + x] - b[y * STREAM_THUMB_WIDTH + x]);
          level += a[y * STREAM_THUMB_WIDTH + x];
        }
      }
      const mean = level / (NOISE_BLOCK * NOISE_BLOCK);
      if (mean > CLIPPED_MARGIN && mean < 255 - CLIPPED_MARGIN) changes.push(sum / (NOISE_BLOCK * NOISE_BLOCK));
    }
  }
  if (changes.length === 0) return null;
  changes.sort((x, y) => x - y);
  const quiet = changes.slice(0, Math.max(1, Math.round(changes.length * NOISE_QUANTILE)));
  return meanOf(quiet);
}

function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

function standardDeviation(values: number[]): number {
  const mean = meanOf(values);
  return Math.sqrt(meanOf(values.map((v) => (v - mean) ** 2)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
