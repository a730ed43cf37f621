// One attempt's phase machine: positioning -> (capturing | challenges | flash) -> done, one frame at a time. PURE.
import type { FaceAnalysis, FaceRegion } from '../shared/analysis';
import {
  baselineOf,
  createTracker,
  sampleOf,
  RETURN_DEGREES,
  SMILE_RISE,
  type Baseline,
  type ChallengeSample,
  type ChallengeTracker,
} from './challenges';
import { flashDurationMs, flashStepAt, FLASH_MAX_LAG_MS } from './flash';
import { POSITIONING } from './guidance';
import { stablePoints, type Point2 } from './planar';
import { PASSIVE_CAPTURE_MS } from './plan';
import type { ChallengeOutcome, GuidanceCode, SessionPhase, SessionPlan, SessionUpdate } from './types';
import type { LivenessResult } from '../shared/result';

/**
 * A wrong movement (the other way, or another action) does not end the attempt at once: the person gets this long to
 * come back to neutral, sees "the other way" meanwhile, and the challenge's window restarts once they are back.
 * Chosen from the synthetic performer's turn-and-return (900 ms) plus a person's reaction time to a new prompt (~1 s);
 * re-check with `npx vitest run tests/unit/liveness/session.test.ts`.
 */
export const WRONG_MOVEMENT_GRACE_MS = 3000;
/**
 * Wrong movements forgiven per attempt. One: a person who mixes up left and right gets a second chance, while a
 * recording of another session's order (which is wrong in most windows) still ends at its second wrong movement.
 */
export const WRONG_MOVEMENTS_FORGIVEN = 1;

/** What the session keeps of each frame with one face (never the image). */
export interface FaceRecord {
  quality: number;
  luminance: number;
  occlusion: number;
  pad: number;
  sample: ChallengeSample;
  points: Point2[];
  regions: Record<FaceRegion, [number, number, number]>;
}

export interface FrameRecord {
  frameIndex: number;
  timestampMs: number;
  width: number;
  height: number;
  phase: SessionPhase;
  faceCount: number;
  face: FaceRecord | null;
  flashStep?: number;
}

export function recordFace(face: FaceAnalysis, frameIndex: number, timestampMs: number): FaceRecord {
  return {
    quality: face.quality.score,
    luminance: face.quality.luminance,
    occlusion: face.quality.occlusion,
    pad: face.pad.score,
    sample: sampleOf(face, frameIndex, timestampMs),
    points: stablePoints(face.landmarks),
    regions: face.regions,
  };
}

/** A frame is "neutral" (reference candidate) within these limits of the baseline. */
const NEUTRAL_YAW = 8;
const NEUTRAL_SMILE = 0.1;

export function isNeutral(face: FaceRecord, baseline: Baseline): boolean {
  return (
    Math.abs(face.sample.yaw - baseline.yaw) <= NEUTRAL_YAW &&
    face.sample.eyeOpen >= 0.8 * baseline.eyeOpen &&
    face.sample.smile - baseline.smile <= NEUTRAL_SMILE
  );
}

/** Back from a wrong movement: head within the "returned" band and no smile. */
function isBackToNeutral(sample: ChallengeSample, baseline: Baseline): boolean {
  return Math.abs(sample.yaw - baseline.yaw) <= RETURN_DEGREES && sample.smile - baseline.smile < SMILE_RISE / 2;
}

const NO_BASELINE: Baseline = { yaw: 0, pitch: 0, eyeOpen: 1, smile: 0 };

/** State of one attempt. */
export class Attempt {
  readonly frames: FrameRecord[] = [];
  phase: SessionPhase = 'positioning';
  stepIndex = 0;
  stepStartMs: number | null = null;
  lastTimestamp = -Infinity;
  lastFace: FaceAnalysis | undefined;
  holdStartMs: number | null = null;
  holdSamples: ChallengeSample[] = [];
  baseline: Baseline | null = null;
  positioned = false;
  positioningGuidance: Partial<Record<GuidanceCode, number>> = {};
  tracker: ChallengeTracker | null = null;
  challengeIndex = 0;
  readonly outcomes: ChallengeOutcome[] = [];
  /** Wrong movements met in this attempt, and the end of the current grace period (null outside one). */
  wrongMovements = 0;
  graceUntilMs: number | null = null;
  /** The current challenge already had a forgiven wrong movement (its outcome says wrong_action unless completed). */
  currentHadWrongMovement = false;
  flashStartMs: number | null = null;
  markedFlashStartMs: number | null = null;
  readonly retained = new Set<number>();
  bestReference: { frameIndex: number; quality: number } | null = null;
  lastCadenceMs = -Infinity;
  cadenceFrames = 0;
  lastFlashStepRetained = -1;
  lastUpdate: SessionUpdate | null = null;
  result: LivenessResult | null = null;

  constructor(readonly plan: SessionPlan) {}

  get step() {
    return this.plan.steps[this.stepIndex];
  }

  get inGrace(): boolean {
    return this.graceUntilMs !== null;
  }
}

/** What one phase step reports for the frame. */
export interface StepReport {
  progress: number;
  retain: boolean;
  flashStep?: number;
}

export function advance(a: Attempt, t: number): void {
  a.stepIndex += 1;
  a.stepStartMs = t;
  a.tracker = null;
  a.currentHadWrongMovement = false;
  a.graceUntilMs = null;
  const step = a.step;
  if (!step) {
    a.phase = 'done';
    return;
  }
  if (step.kind === 'challenge' && step.challenge) {
    a.phase = 'challenge';
    a.tracker = createTracker(step.challenge, a.baseline ?? NO_BASELINE, { strict: true });
  } else {
    a.phase = step.kind;
  }
}

function closeChallenge(a: Attempt, timedOut: boolean): void {
  if (!a.tracker) return;
  const outcome = a.tracker.outcome(timedOut);
  a.outcomes.push(!outcome.completed && a.currentHadWrongMovement ? { ...outcome, reason: 'wrong_action' } : outcome);
  a.challengeIndex += 1;
  a.tracker = null;
  a.graceUntilMs = null;
}

/** Positioning: one good face held still for POSITIONING.holdMs sets the baseline; gives up after timeoutMs. */
export function stepPositioning(a: Attempt, t: number, face: FaceRecord | null, guidance: GuidanceCode[]): StepReport {
  if (guidance.length === 0 && face) {
    if (a.holdStartMs === null) {
      a.holdStartMs = t;
      a.holdSamples = [];
    }
    a.holdSamples.push(face.sample);
    const progress = Math.min(1, (t - a.holdStartMs) / POSITIONING.holdMs);
    if (t - a.holdStartMs >= POSITIONING.holdMs) {
      a.baseline = baselineOf(a.holdSamples);
      a.positioned = true;
      advance(a, t);
    }
    return { progress, retain: false };
  }
  for (const code of guidance) a.positioningGuidance[code] = (a.positioningGuidance[code] ?? 0) + 1;
  a.holdStartMs = null;
  a.holdSamples = [];
  if (t - (a.stepStartMs ?? t) >= POSITIONING.timeoutMs) a.phase = 'done';
  return { progress: 0, retain: false };
}

/** Passive capture: frames for PASSIVE_CAPTURE_MS after positioning. */
export function stepCapturing(a: Attempt, t: number): StepReport {
  const progress = Math.min(1, (t - (a.stepStartMs ?? t)) / PASSIVE_CAPTURE_MS);
  if (progress >= 1) advance(a, t);
  return { progress, retain: false };
}

/**
 * One challenge window. Completed -> next step; timed out -> next step; a wrong movement -> a grace period (the
 * first WRONG_MOVEMENTS_FORGIVEN times) or the end of the attempt, so a recording of another order cannot skip ahead.
 */
export function stepChallenge(a: Attempt, t: number, face: FaceRecord | null, frameIndex: number): StepReport {
  if (a.inGrace) return stepGrace(a, t, face);
  const tracker = a.tracker;
  let retain = false;
  if (tracker && face) {
    tracker.push(face.sample);
    if (tracker.outcome(false).peakFrameIndex === frameIndex) retain = true;
  }
  const progress = tracker?.progress ?? 0;
  if (tracker?.completed) {
    closeChallenge(a, false);
    advance(a, t);
  } else if (tracker?.wrongAction) {
    a.wrongMovements += 1;
    if (a.wrongMovements <= WRONG_MOVEMENTS_FORGIVEN) {
      a.currentHadWrongMovement = true;
      a.graceUntilMs = t + WRONG_MOVEMENT_GRACE_MS;
      return { progress: 0, retain };
    }
    closeChallenge(a, false);
    a.phase = 'done';
  } else if (t - (a.stepStartMs ?? t) >= a.plan.challengeWindowMs) {
    closeChallenge(a, true);
    // A challenge that already had a wrong movement and still did not come: the attempt ends (as a wrong action would).
    if (a.currentHadWrongMovement) a.phase = 'done';
    else advance(a, t);
  }
  return { progress, retain };
}

/** During a grace period: wait for the face to come back to neutral, then restart the window with a fresh tracker. */
function stepGrace(a: Attempt, t: number, face: FaceRecord | null): StepReport {
  const step = a.step;
  if (face && step?.challenge && isBackToNeutral(face.sample, a.baseline ?? NO_BASELINE)) {
    a.graceUntilMs = null;
    a.stepStartMs = t;
    a.tracker = createTracker(step.challenge, a.baseline ?? NO_BASELINE, { strict: true });
  } else if (a.graceUntilMs !== null && t >= a.graceUntilMs) {
    closeChallenge(a, false);
    a.phase = 'done';
  }
  return { progress: 0, retain: false };
}

/** The flash: which colour step the screen shows now; keeps one face frame per step. */
export function stepFlash(a: Attempt, t: number, face: FaceRecord | null, record: FrameRecord): StepReport {
  const sequence = a.plan.flash;
  if (!sequence) {
    advance(a, t);
    return { progress: 0, retain: false };
  }
  if (a.flashStartMs === null) a.flashStartMs = a.markedFlashStartMs ?? t;
  const elapsed = t - a.flashStartMs;
  const index = flashStepAt(sequence, elapsed);
  record.flashStep = index;
  let retain = false;
  let flashStep: number | undefined;
  if (index >= 0 && index < sequence.steps.length) {
    flashStep = index;
    if (face && index > a.lastFlashStepRetained) {
      a.lastFlashStepRetained = index;
      retain = true;
    }
  }
  const progress = Math.min(1, elapsed / flashDurationMs(sequence));
  if (elapsed >= flashDurationMs(sequence) + FLASH_MAX_LAG_MS) advance(a, t);
  return { progress, retain, flashStep };
}
