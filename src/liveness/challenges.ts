// Challenge detectors: head_left, head_right, blink and smile, measured against the person's own neutral baseline.
// Each tracker sees the frames of its window only, so a challenge counts only when done in the asked order. PURE.
import type { FaceAnalysis } from '../shared/analysis';
import type { Challenge } from '../shared/catalogue';
import type { ChallengeOutcome } from './types';
import { clamp01, median } from '../shared/stats';
import { tuned } from '../shared/tunables';

/** Degrees beyond the neutral yaw a head turn must reach. */
export const TURN_DEGREES = tuned('turnDegrees');
/** Degrees from neutral that count as "back". */
export const RETURN_DEGREES = tuned('returnDegrees');
/** Both eyes must dip below this fraction of their open baseline... */
export const BLINK_CLOSED_FRACTION = tuned('blinkClosedFraction');
/** ...and come back above this fraction. */
export const BLINK_REOPEN_FRACTION = tuned('blinkReopenFraction');
/** Smile must rise this much (0-1 scale) above the neutral smile... */
export const SMILE_RISE = tuned('smileRise');
/** ...in this many consecutive frames (one noisy frame is not a smile). */
export const SMILE_FRAMES = tuned('smileFrames');

/** The person's neutral face, measured while they held still during positioning. */
export interface Baseline {
  yaw: number;
  pitch: number;
  /** Openness of the more open eye: a blink closes both. */
  eyeOpen: number;
  smile: number;
}

export interface ChallengeSample {
  frameIndex: number;
  timestampMs: number;
  yaw: number;
  pitch: number;
  /** max(left, right) eye openness: dips only when both eyes close. */
  eyeOpen: number;
  smile: number;
}

export function sampleOf(face: FaceAnalysis, frameIndex: number, timestampMs: number): ChallengeSample {
  return {
    frameIndex,
    timestampMs,
    yaw: face.pose.yaw,
    pitch: face.pose.pitch,
    eyeOpen: Math.max(face.eyes.left, face.eyes.right),
    smile: face.smile,
  };
}

export function baselineOf(samples: readonly ChallengeSample[]): Baseline {
  return {
    yaw: median(samples.map((s) => s.yaw)),
    pitch: median(samples.map((s) => s.pitch)),
    eyeOpen: median(samples.map((s) => s.eyeOpen)),
    smile: median(samples.map((s) => s.smile)),
  };
}

export interface ChallengeTracker {
  readonly challenge: Challenge;
  push(sample: ChallengeSample): void;
  /** 0-1 for the UI. */
  readonly progress: number;
  readonly completed: boolean;
  /** The person did the opposite (turned the other way): the challenge fails at once. */
  readonly wrongAction: boolean;
  /** Outcome so far; `timedOut` marks a window that ended without completion. */
  outcome(timedOut: boolean): ChallengeOutcome;
}

/** Credit 0-100 for a completed challenge: 85 at the minimum amplitude, 100 at a clear one. */
export function challengeCredit(challenge: Challenge, amplitude: number): number {
  switch (challenge) {
    case 'head_left':
    case 'head_right':
      return 85 + 15 * clamp01((amplitude - TURN_DEGREES) / 15);
    case 'blink':
      return 85 + 15 * clamp01((amplitude - (1 - BLINK_CLOSED_FRACTION)) / 0.3);
    case 'smile':
      return 85 + 15 * clamp01((amplitude - SMILE_RISE) / 0.25);
  }
}

export interface TrackerOptions {
  /**
   * Live sessions: the challenge fails (`wrong_action`) when ANOTHER deliberate action (a head turn the other way, or
   * a smile when none was asked) starts in its window before the asked action does. A recording of another session
   * performs its own order, so it meets this rule in most windows; a person does what is on the screen. Blinks never
   * count (they are involuntary).
   */
  strict?: boolean;
}

/**
 * Watches one challenge's window for the onset of deliberate actions other than the asked one: a head turn in a
 * direction not asked, or a smile when a smile was not asked. Only onsets inside the window count (the action was
 * first seen absent: a smile still fading from the previous challenge is not a new one).
 */
export class ForeignActionGuard {
  private yawSettled = false;
  private smileSettled = false;
  private smileRun = 0;
  constructor(
    private readonly asked: Challenge,
    private readonly baseline: Baseline,
  ) {}

  /** Feed a frame; true when a foreign action has started. */
  push(s: ChallengeSample): boolean {
    const delta = s.yaw - this.baseline.yaw;
    if (Math.abs(delta) <= RETURN_DEGREES) this.yawSettled = true;
    if (this.yawSettled && Math.abs(delta) >= TURN_DEGREES) {
      // Yaw is positive when the person turns to their own left.
      const turn: Challenge = delta > 0 ? 'head_left' : 'head_right';
      if (turn !== this.asked) return true;
    }
    if (this.asked !== 'smile') {
      const rise = s.smile - this.baseline.smile;
      if (rise < SMILE_RISE / 2) this.smileSettled = true;
      this.smileRun = this.smileSettled && rise >= SMILE_RISE ? this.smileRun + 1 : 0;
      if (this.smileRun >= SMILE_FRAMES) return true;
    }
    return false;
  }
}

abstract class BaseTracker implements ChallengeTracker {
  completed = false;
  wrongAction = false;
  protected peak = 0;
  protected peakFrameIndex: number | null = null;
  private readonly guard: ForeignActionGuard | null;
  constructor(
    readonly challenge: Challenge,
    protected readonly baseline: Baseline,
    options: TrackerOptions = {},
  ) {
    this.guard = options.strict ? new ForeignActionGuard(challenge, baseline) : null;
  }
  push(sample: ChallengeSample): void {
    if (this.completed || this.wrongAction) return;
    // Another action before the asked one is under way fails the challenge.
    if (this.guard && !this.started && this.guard.push(sample)) {
      this.wrongAction = true;
      return;
    }
    this.track(sample);
  }
  /** The asked action is under way (turn reached, eyes closed, smile rising): later foreign actions no longer count. */
  protected abstract get started(): boolean;
  protected abstract track(sample: ChallengeSample): void;
  abstract get progress(): number;
  protected notePeak(value: number, frameIndex: number): void {
    if (this.peakFrameIndex === null || value > this.peak) {
      this.peak = value;
      this.peakFrameIndex = frameIndex;
    }
  }
  outcome(timedOut: boolean): ChallengeOutcome {
    const reason = this.completed ? 'completed' : this.wrongAction ? 'wrong_action' : timedOut ? 'timeout' : 'not_reached';
    return {
      challenge: this.challenge,
      completed: this.completed,
      reason,
      amplitude: Math.max(0, this.peak),
      credit: this.completed ? Math.round(challengeCredit(this.challenge, this.peak)) : 0,
      peakFrameIndex: this.peakFrameIndex,
    };
  }
}

/** Yaw beyond TURN_DEGREES from neutral in the asked direction, then back within RETURN_DEGREES. */
class HeadTurnTracker extends BaseTracker {
  private reached = false;
  private lastDelta = 0;
  private readonly direction: 1 | -1;
  constructor(challenge: 'head_left' | 'head_right', baseline: Baseline, options: TrackerOptions = {}) {
    super(challenge, baseline, options);
    // Yaw is positive when the person turns to their own left.
    this.direction = challenge === 'head_left' ? 1 : -1;
  }
  protected get started(): boolean {
    return this.reached;
  }
  protected track(s: ChallengeSample): void {
    const delta = this.direction * (s.yaw - this.baseline.yaw);
    this.lastDelta = delta;
    this.notePeak(delta, s.frameIndex);
    if (!this.reached && -delta >= TURN_DEGREES) {
      this.wrongAction = true;
      return;
    }
    if (delta >= TURN_DEGREES) this.reached = true;
    if (this.reached && Math.abs(delta) <= RETURN_DEGREES) this.completed = true;
  }
  get progress(): number {
    if (this.completed) return 1;
    if (!this.reached) return 0.7 * clamp01(this.lastDelta / TURN_DEGREES);
    return 0.7 + 0.3 * clamp01((this.peak - this.lastDelta) / Math.max(1e-6, this.peak - RETURN_DEGREES));
  }
}

/** Both eyes dip below BLINK_CLOSED_FRACTION of the open baseline and reopen above BLINK_REOPEN_FRACTION. */
class BlinkTracker extends BaseTracker {
  private closed = false;
  protected get started(): boolean {
    return this.closed;
  }
  protected track(s: ChallengeSample): void {
    // Eyes that read nearly shut at baseline cannot show a blink; keep a floor so the ratio stays meaningful.
    const open = Math.max(this.baseline.eyeOpen, 0.2);
    const depth = 1 - s.eyeOpen / open;
    this.notePeak(depth, s.frameIndex);
    if (s.eyeOpen <= BLINK_CLOSED_FRACTION * open) this.closed = true;
    if (this.closed && s.eyeOpen >= BLINK_REOPEN_FRACTION * open) this.completed = true;
  }
  get progress(): number {
    return this.completed ? 1 : this.closed ? 0.6 : 0;
  }
}

/** Smile rises SMILE_RISE above neutral for SMILE_FRAMES consecutive frames. */
class SmileTracker extends BaseTracker {
  private run = 0;
  private lastRise = 0;
  protected get started(): boolean {
    return this.run > 0;
  }
  protected track(s: ChallengeSample): void {
    const rise = s.smile - this.baseline.smile;
    this.lastRise = rise;
    this.notePeak(rise, s.frameIndex);
    this.run = rise >= SMILE_RISE ? this.run + 1 : 0;
    if (this.run >= SMILE_FRAMES) this.completed = true;
  }
  get progress(): number {
    return this.completed ? 1 : 0.9 * clamp01(this.lastRise / SMILE_RISE);
  }
}

export function createTracker(challenge: Challenge, baseline: Baseline, options: TrackerOptions = {}): ChallengeTracker {
  switch (challenge) {
    case 'head_left':
    case 'head_right':
      return new HeadTurnTracker(challenge, baseline, options);
    case 'blink':
      return new BlinkTracker(challenge, baseline, options);
    case 'smile':
      return new SmileTracker(challenge, baseline, options);
  }
}
