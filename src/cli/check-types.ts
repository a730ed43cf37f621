// What `liveness check` takes and prints, shared by the still and clip paths (kept apart so neither imports the other).
import type { CodedErrorShape } from '../shared/errors';
import type { PassiveResponse } from '../liveness/passive';
import type { Challenge, LivenessMode } from '../shared/catalogue';

export interface CheckOptions {
  threshold: number;
  maxBytes: number;
  mode: LivenessMode;
  /** Clip-only flags (--challenges, --expect-order, --flash-sequence, --fps). */
  clip?: ClipCheckOptions;
}

export type CheckLine =
  { request_id: string; file: string; liveness: PassiveResponse | Record<string, unknown> } | { file: string; error: CodedErrorShape };

/** Clip-only options of `liveness check` (see CLIP_USAGE). */
export interface ClipCheckOptions {
  challenges?: Challenge[];
  expectOrder?: Challenge[];
  /** Path of the JSON flash sequence that was shown ({seed, steps:[{rgb, durationMs}]}, or a result holding one). */
  flashSequenceFile?: string;
  /** When the first colour was shown, ms from the clip's start (default: the first frame). */
  flashStartMs?: number;
  /** Frames sampled per second (default 10; flash modes need at least 8 frames over the sequence). */
  fps?: number;
  /** Frames are scaled down to at most this width (default 640). */
  maxWidth?: number;
}
