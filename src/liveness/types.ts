// The liveness session API: what the kiosk UI host, Electron main and the CLI drive. PURE (no Node, no Electron).
import type { FrameAnalysis } from '../shared/analysis';
import type { Challenge, LivenessMode } from '../shared/catalogue';
import type { FlashSequence, LivenessResult } from '../shared/result';

/** Where the person is in one attempt. */
export type SessionPhase = 'positioning' | 'challenge' | 'flash' | 'capturing' | 'done';

/** Live guidance shown while the person positions themselves (and kept up during the later phases). */
export const GUIDANCE_CODES = [
  'no_face',
  'one_person',
  'too_dark',
  'too_bright',
  'move_closer',
  'move_back',
  'center_face',
  'uncover_face',
  'hold_still',
  /** During a challenge: a movement other than the one asked; the person is shown "the other way" (grace period). */
  'wrong_movement',
] as const;
export type GuidanceCode = (typeof GUIDANCE_CODES)[number];

/** Bytes from a random source; defaults to globalThis.crypto.getRandomValues. */
export type RandomSource = (n: number) => Uint8Array | number[];

export interface SessionDeps {
  /** Randomness for the challenge order and the flash seed (tests inject; default: the platform CSPRNG). */
  random?: RandomSource;
  /** Wall clock in ms, used only for created_at (phase timing follows the frames' timestampMs). */
  now?: () => number;
  sessionId?: string;
  /** Derive every random draw from this seed (reproducible tests and replays of recorded sessions). */
  seed?: string;
  /** Model versions recorded in the result (Engine.modelVersions()). */
  modelVersions?: Record<string, string>;
}

export interface PlannedStep {
  kind: 'positioning' | 'capturing' | 'challenge' | 'flash';
  challenge?: Challenge;
  /** Longest time the step may take, ms (positioning: time allowed before the attempt ends with feedback). */
  windowMs: number;
}

export interface SessionPlan {
  mode: LivenessMode;
  /** Challenges in the order they will be asked (CSPRNG order per attempt). */
  challenges: Challenge[];
  /** The colour sequence to show in the flash phase, or null (passive, active, or no_flash). */
  flash: FlashSequence | null;
  /** Each challenge's window, ms (config.challenge_timeout_s). */
  challengeWindowMs: number;
  /** True when no_flash replaced the flash by an extra challenge and a required planar (parallax) check. */
  noFlashSubstitute: boolean;
  /** The planned steps in order, for a progress display. */
  steps: PlannedStep[];
}

export interface SessionUpdate {
  phase: SessionPhase;
  /** What the person should fix now (empty when all is well). */
  guidance: GuidanceCode[];
  currentChallenge?: Challenge;
  /** 0-based index of the current challenge (== challengesTotal once all are over). */
  challengeIndex: number;
  challengesTotal: number;
  /** 0-1 progress of the current challenge, or of positioning / flash / capturing. */
  challengeProgress: number;
  /** Seconds left in the current step's window (positioning: before it gives up). */
  secondsLeft: number;
  /** Index into plan.flash.steps the UI should show now (flash phase only). */
  flashStep?: number;
  /** The host should keep this frame's image: it may become evidence (see LivenessSession.evidence()). */
  retain: boolean;
  /** 0-based index of this frame in the attempt (the frameIndex used by evidence and reference_image). */
  frameIndex: number;
  done: boolean;
}

export type EvidenceRole = 'reference' | 'challenge_peak' | 'flash' | 'extra';

export interface EvidenceFrame {
  frameIndex: number;
  timestampMs: number;
  role: EvidenceRole;
  challenge?: Challenge;
}

export interface ChallengeOutcome {
  challenge: Challenge;
  /** Done in the asked order inside its window. */
  completed: boolean;
  /** Why not completed. */
  reason: 'completed' | 'timeout' | 'wrong_action' | 'not_reached';
  /** Head turns: degrees reached from neutral; blink: depth 0-1; smile: rise above neutral 0-1. */
  amplitude: number;
  /** Credit 0-100 the challenge gives to its variation score. */
  credit: number;
  peakFrameIndex: number | null;
}

/** finish()'s result with the attempt bookkeeping the host needs. */
export type SessionResult = LivenessResult;

export interface LivenessSession {
  readonly id: string;
  /** The current attempt's plan (a retry draws a new order and a new flash sequence). */
  readonly plan: SessionPlan;
  /** 1-based number of the current attempt. */
  readonly attempt: number;
  /** Feed one analysed camera frame; returns the guidance for the UI. Timestamps must not go backwards. */
  pushFrame(analysis: FrameAnalysis): SessionUpdate;
  /** Decide the current attempt. status 'In Progress' with retry_allowed=true means: show the sentence, call retry(). */
  finish(): SessionResult;
  /** The person walked away: status 'Abandoned'. */
  abandon(): SessionResult;
  /** Start the next attempt after finish() allowed it; returns the new plan. Throws CONFLICT otherwise. */
  retry(): SessionPlan;
  /** The 8-12 frames chosen as evidence in the current attempt (frameIndex refers to pushFrame order). */
  evidence(): EvidenceFrame[];
  /** Per-challenge outcomes of the current attempt so far. */
  challengeOutcomes(): ChallengeOutcome[];
  /**
   * Optional, for accurate flash timing: the UI tells when it actually showed the first colour, on the same clock as
   * the frames' timestampMs. Without it the flash starts at the first frame of the flash phase.
   */
  markFlashStart(timestampMs: number): void;
}
