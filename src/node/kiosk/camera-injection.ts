// The stream-injection checks in the kiosk's decision path: one StreamIntegrity per attempt, fed with every frame the
// engine receives, and its verdict applied to the attempt's result.
//
// A suspected injection goes to In Review, never Approved, and is never retried: the checks are heuristics tuned on
// recorded clips and Chromium's fake capture, not yet on a fleet of kiosk cameras, so a person whose camera trips one
// is looked at by a reviewer (who sees which check, in score_details) instead of being declined outright; a retry
// would only let an attacker probe the thresholds. A result already Declined stays Declined, with the warning added.
import type { LivenessResult } from '../../shared/result';
import { StreamIntegrity, type StreamVerdict } from '../../liveness/stream-integrity';
import { streamSampleFromJpeg } from './camera-stream';

export const INJECTION_WARNING = 'INJECTION_SUSPECTED' as const;

/** Feeds one attempt's frames to the checks; a frame that does not decode is left to the engine's own error. */
export class AttemptStream {
  private integrity = new StreamIntegrity();

  async observe(jpeg: Uint8Array, timestampMs: number): Promise<void> {
    const sample = await streamSampleFromJpeg(jpeg, timestampMs).catch(() => null);
    if (sample) this.integrity.push(sample);
  }

  /** A new attempt opens the camera again: its frames are judged on their own. */
  reset(): void {
    this.integrity = new StreamIntegrity();
  }

  verdict(): StreamVerdict {
    return this.integrity.verdict();
  }
}

/**
 * The attempt's result with the stream verdict applied. The figures are recorded on every result (a reviewer sees
 * why, and pilot data re-tunes the thresholds); the status changes only when a check failed.
 */
export function applyStreamVerdict(result: LivenessResult, verdict: StreamVerdict): LivenessResult {
  const figures = {
    ...(result.score_details ?? {}),
    injection_checks: verdict.suspected.join(','),
    injection_frames: verdict.frames,
    injection_noise_floor: verdict.noiseFloor,
    injection_interval_jitter_ms: verdict.intervalJitterMs,
    injection_longest_frozen_ms: Math.round(verdict.longestFrozenMs),
    injection_repeated_frames: verdict.repeatedFrames,
    injection_resolutions: verdict.resolutions.join(' '),
  };
  if (verdict.suspected.length === 0) return { ...result, score_details: figures };
  return {
    ...result,
    status: result.status === 'Declined' ? 'Declined' : 'In Review',
    liveness_passed: false,
    warnings: result.warnings.includes(INJECTION_WARNING) ? result.warnings : [...result.warnings, INJECTION_WARNING],
    retry_allowed: false,
    score_details: figures,
  };
}
