// Performance history: compares this bench result with the previous one and names every stage that slowed down.
// A warning, never a failure: timings on a shared machine are noisy, so a human reads them, no test asserts them.

/** A stage whose median grew by more than this fraction over the previous result is reported (the 10%). */
export const SLOWDOWN_WARN_FRACTION = 0.1;
/**
 * Medians below this (ms) are never reported as slower: over eight runs of the CI bench in a row on one machine the
 * iris stage (what the frame waits for its eyes, a race between two threads) moved 0.26-0.74 ms and the metrics
 * stage 0.09-0.12 ms with no change in the code; every figure above it stayed within 1.25x from its fastest run to
 * its slowest (README, "Performance history in CI").
 */
export const MIN_COMPARABLE_MS = 0.5;

export interface Slowdown {
  /** Dotted path of the figure in the bench JSON, e.g. "stages.detect". */
  figure: string;
  previous_ms: number;
  current_ms: number;
  /** (current - previous) / previous. */
  change: number;
}

/** Every median the history tracks, by dotted path; absent figures (a part of the bench skipped) are left out. */
export function trackedMedians(result: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (value: unknown, at: string): void => {
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const here = at ? `${at}.${key}` : key;
      if (key === 'median_ms' && typeof child === 'number' && Number.isFinite(child)) out[at] = child;
      // The peer and the reference are other people's code: their speed is context, not our regression.
      else if (key !== 'peer' && key !== 'reference' && key !== 'history') visit(child, here);
    }
  };
  visit(result, '');
  return out;
}

/** The figures that slowed by more than SLOWDOWN_WARN_FRACTION, worst first. */
export function compareWithPrevious(previous: unknown, current: unknown): Slowdown[] {
  const before = trackedMedians(previous);
  const now = trackedMedians(current);
  const slow: Slowdown[] = [];
  for (const [figure, current_ms] of Object.entries(now)) {
    const previous_ms = before[figure];
    if (previous_ms === undefined || previous_ms < MIN_COMPARABLE_MS) continue;
    // Rounded to 0.1% first, so that float noise never turns exactly 10% into "more than 10%".
    const change = Math.round(((current_ms - previous_ms) / previous_ms) * 1000) / 1000;
    if (change > SLOWDOWN_WARN_FRACTION) slow.push({ figure, previous_ms, current_ms, change });
  }
  return slow.sort((a, b) => b.change - a.change);
}

export function describeSlowdown(s: Slowdown, previousAt: string | undefined): string {
  const when = previousAt ? ` (${previousAt})` : '';
  return `bench: warning: ${s.figure} median ${s.current_ms} ms is ${Math.round(s.change * 100)}% slower than the previous result${when}, ${s.previous_ms} ms`;
}

/** Frames per turn a result was measured with; results from before the field existed went frame by frame. */
export function blockFramesOf(result: unknown): number {
  const value = (result as { block_frames?: unknown } | null)?.block_frames;
  return typeof value === 'number' ? value : 1;
}

/** Bench processes whose medians a result is (--runs); results from before the field existed are one run. */
export function runsOf(result: unknown): number {
  const value = (result as { runs?: unknown } | null)?.runs;
  return typeof value === 'number' ? value : 1;
}

/** The machine a result was measured on, as far as it says: its CPU model and core count. */
function machineOf(result: unknown): { cpu?: string; cores?: number } {
  const r = result as { cpu?: unknown; cores?: unknown } | null;
  return { cpu: typeof r?.cpu === 'string' ? r.cpu : undefined, cores: typeof r?.cores === 'number' ? r.cores : undefined };
}

/**
 * Why two results cannot be compared, or undefined when they can: a schedule of other turns moves every median
 * (caches warm or not), another number of frames is another set of faces, a median of several runs is steadier than
 * one, and another machine runs at another speed, so a difference between them would be the method's, the frames'
 * or the machine's, not the code's. A result that does not name its CPU, frame count or runs (written before those
 * fields existed) is compared as before.
 */
export function whyNotComparable(previous: unknown, current: unknown): string | undefined {
  const before = blockFramesOf(previous);
  const now = blockFramesOf(current);
  if (before !== now) return `the previous result was measured in turns of ${before} frame(s) per runtime, this one in turns of ${now}`;
  const framesBefore = (previous as { frames?: unknown } | null)?.frames;
  const framesNow = (current as { frames?: unknown } | null)?.frames;
  // --frames N times the first N fixture frames: another N is another set of faces, with another median.
  if (typeof framesBefore === 'number' && typeof framesNow === 'number' && framesBefore !== framesNow) {
    return `the previous result timed ${framesBefore} frames, this one ${framesNow}`;
  }
  // The median of three runs is steadier than one run: comparing the two would flag one run's noise.
  if (runsOf(previous) !== runsOf(current)) {
    return `the previous result is the median of ${runsOf(previous)} run(s), this one of ${runsOf(current)}`;
  }
  const then = machineOf(previous);
  const here = machineOf(current);
  if (then.cpu !== undefined && here.cpu !== undefined && (then.cpu !== here.cpu || then.cores !== here.cores)) {
    return `the previous result was measured on another machine (${then.cpu}, ${then.cores ?? '?'} cores; this one ${here.cpu}, ${here.cores ?? '?'} cores): measure the baseline again on this machine`;
  }
  return undefined;
}
