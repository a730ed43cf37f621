// One person's liveness check: plan -> pushFrame (live guidance) -> finish (result), with retries. PURE.
// See README.md in this folder for the API, the phases and the score formulas.
import type { FaceAnalysis, FaceRegion, FrameAnalysis } from '../shared/analysis';
import { livenessConfigSchema, type LivenessConfig } from '../shared/config';
import { CodedError } from '../shared/errors';
import type { LivenessResult } from '../shared/result';
import { AttemptLedger, type AttemptDecision } from './attempts';
import { baselineOf, createTracker, sampleOf, type Baseline, type ChallengeSample, type ChallengeTracker } from './challenges';
import { analyzeFlashResponse, flashDurationMs, flashStepAt, FLASH_MAX_LAG_MS, type FlashAnalysis } from './flash';
import { frameGuidance, POSITIONING, significantFaces } from './guidance';
import { analyzePlanarity, stablePoints, type PlanarAnalysis, type Point2 } from './planar';
import { buildPlan, PASSIVE_CAPTURE_MS } from './plan';
import { cryptoRandom, randomHex, seededRandom } from './random';
import { combineScores, judgeAttempt, passiveScoreOf, type AttemptEvidence, type ScoreBreakdown, type AttemptVerdict } from './scoring';
import type {
  ChallengeOutcome,
  EvidenceFrame,
  GuidanceCode,
  LivenessSession,
  RandomSource,
  SessionDeps,
  SessionPhase,
  SessionPlan,
  SessionUpdate,
} from './types';

/** Evidence kept per attempt (the brief: 8-12 frames). */
export const MIN_EVIDENCE_FRAMES = 8;
export const MAX_EVIDENCE_FRAMES = 12;
/** Spacing and cap of the regularly retained frames that fill the evidence up to 8. */
const CADENCE_MS = 400;
const MAX_CADENCE_FRAMES = 24;
/** A frame is "neutral" (reference candidate) within these limits of the baseline. */
const NEUTRAL_YAW = 8;
const NEUTRAL_SMILE = 0.1;
/** Frames whose PAD scores make the passive score. */
const PASSIVE_BEST_FRAMES = 5;
/** Bound the planar check's work on long sessions. */
const MAX_PLANAR_FRAMES = 120;

/** What the session keeps of each frame with one face (never the image). */
interface FaceRecord {
  quality: number;
  luminance: number;
  occlusion: number;
  pad: number;
  sample: ChallengeSample;
  points: Point2[];
  regions: Record<FaceRegion, [number, number, number]>;
}

interface FrameRecord {
  frameIndex: number;
  timestampMs: number;
  width: number;
  height: number;
  phase: SessionPhase;
  faceCount: number;
  face: FaceRecord | null;
  flashStep?: number;
}

function recordFace(face: FaceAnalysis, frameIndex: number, timestampMs: number): FaceRecord {
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

function isNeutral(face: FaceRecord, baseline: Baseline): boolean {
  return (
    Math.abs(face.sample.yaw - baseline.yaw) <= NEUTRAL_YAW &&
    face.sample.eyeOpen >= 0.8 * baseline.eyeOpen &&
    face.sample.smile - baseline.smile <= NEUTRAL_SMILE
  );
}

function validateFrame(analysis: FrameAnalysis): void {
  if (!analysis || typeof analysis !== 'object' || !Array.isArray(analysis.faces) || !Number.isFinite(analysis.timestampMs)) {
    throw new CodedError('INVALID_ARGUMENT', 'A frame analysis needs a finite timestampMs and a faces array.');
  }
}

/** State of one attempt. */
class Attempt {
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
}

export function createLivenessSession(config: LivenessConfig, deps: SessionDeps = {}): LivenessSession {
  const parsed = livenessConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CodedError('INVALID_ARGUMENT', `The liveness configuration is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  const cfg = parsed.data;
  const random: RandomSource = deps.random ?? (deps.seed !== undefined ? seededRandom(`session:${deps.seed}`) : cryptoRandom);
  const now = deps.now ?? (() => Date.now());
  const id = deps.sessionId ?? randomHex(random, 16);
  const ledger = new AttemptLedger(cfg.face_liveness_max_attempts);
  let attempt = new Attempt(buildPlan(cfg, random));

  // ---- phase machine ------------------------------------------------------------------------------------------

  function advance(a: Attempt, t: number): void {
    a.stepIndex += 1;
    a.stepStartMs = t;
    a.tracker = null;
    const step = a.step;
    if (!step) {
      a.phase = 'done';
      return;
    }
    if (step.kind === 'challenge' && step.challenge) {
      a.phase = 'challenge';
      a.tracker = createTracker(step.challenge, a.baseline ?? { yaw: 0, pitch: 0, eyeOpen: 1, smile: 0 }, { strict: true });
    } else if (step.kind === 'flash') {
      a.phase = 'flash';
    } else {
      a.phase = step.kind;
    }
  }

  function closeChallenge(a: Attempt, timedOut: boolean): void {
    if (!a.tracker) return;
    a.outcomes.push(a.tracker.outcome(timedOut));
    a.challengeIndex += 1;
    a.tracker = null;
  }

  function pushFrame(analysis: FrameAnalysis): SessionUpdate {
    validateFrame(analysis);
    if (ledger.state !== 'open') {
      throw new CodedError('CONFLICT', 'This attempt is finished: call retry() to start the next one, or start a new session.');
    }
    const a = attempt;
    const t = analysis.timestampMs;
    if (t < a.lastTimestamp) throw new CodedError('INVALID_ARGUMENT', 'Frame timestamps must not go backwards.');
    a.lastTimestamp = t;
    if (a.stepStartMs === null) a.stepStartMs = t;
    const frameIndex = a.frames.length;
    const faces = significantFaces(analysis);
    const guidance = frameGuidance(analysis, a.lastFace);
    const subject = faces.length === 1 ? faces[0] : undefined;
    const face = subject ? recordFace(subject, frameIndex, t) : null;
    const record: FrameRecord = { frameIndex, timestampMs: t, width: analysis.width, height: analysis.height, phase: a.phase, faceCount: faces.length, face };
    a.frames.push(record);
    a.lastFace = faces[0];
    let retain = false;
    let progress = 0;
    let flashStep: number | undefined;
    const phaseAtStart = a.phase;

    switch (a.phase) {
      case 'positioning': {
        if (guidance.length === 0 && face) {
          if (a.holdStartMs === null) {
            a.holdStartMs = t;
            a.holdSamples = [];
          }
          a.holdSamples.push(face.sample);
          progress = Math.min(1, (t - a.holdStartMs) / POSITIONING.holdMs);
          if (t - a.holdStartMs >= POSITIONING.holdMs) {
            a.baseline = baselineOf(a.holdSamples);
            a.positioned = true;
            advance(a, t);
          }
        } else {
          for (const code of guidance) a.positioningGuidance[code] = (a.positioningGuidance[code] ?? 0) + 1;
          a.holdStartMs = null;
          a.holdSamples = [];
          if (t - (a.stepStartMs ?? t) >= POSITIONING.timeoutMs) a.phase = 'done';
        }
        break;
      }
      case 'capturing': {
        progress = Math.min(1, (t - (a.stepStartMs ?? t)) / PASSIVE_CAPTURE_MS);
        if (progress >= 1) advance(a, t);
        break;
      }
      case 'challenge': {
        const tracker = a.tracker;
        if (tracker && face) {
          tracker.push(face.sample);
          if (tracker.outcome(false).peakFrameIndex === frameIndex) retain = true;
        }
        progress = tracker?.progress ?? 0;
        if (tracker?.completed) {
          closeChallenge(a, false);
          advance(a, t);
        } else if (tracker?.wrongAction) {
          // Another action than the one asked: the attempt ends here (the rest are not reached). A person retries with
          // a new order; a recording of another session must not skip ahead to a window its next action fits.
          closeChallenge(a, false);
          a.phase = 'done';
        } else if (t - (a.stepStartMs ?? t) >= a.plan.challengeWindowMs) {
          closeChallenge(a, true);
          advance(a, t);
        }
        break;
      }
      case 'flash': {
        const sequence = a.plan.flash;
        if (!sequence) {
          advance(a, t);
          break;
        }
        if (a.flashStartMs === null) a.flashStartMs = a.markedFlashStartMs ?? t;
        const elapsed = t - a.flashStartMs;
        const index = flashStepAt(sequence, elapsed);
        record.flashStep = index;
        if (index >= 0 && index < sequence.steps.length) {
          flashStep = index;
          if (face && index > a.lastFlashStepRetained) {
            a.lastFlashStepRetained = index;
            retain = true;
          }
        }
        const total = flashDurationMs(sequence);
        progress = Math.min(1, elapsed / total);
        if (elapsed >= total + FLASH_MAX_LAG_MS) advance(a, t);
        break;
      }
      case 'done':
        break;
    }

    // Reference candidates: the best-quality neutral frame so far (during the positioning hold, every good frame).
    if (face) {
      const neutral = a.baseline ? isNeutral(face, a.baseline) : phaseAtStart === 'positioning' && guidance.length === 0;
      if (neutral && (!a.bestReference || face.quality > a.bestReference.quality)) {
        a.bestReference = { frameIndex, quality: face.quality };
        retain = true;
      }
      if (t - a.lastCadenceMs >= CADENCE_MS && a.cadenceFrames < MAX_CADENCE_FRAMES) {
        a.lastCadenceMs = t;
        a.cadenceFrames += 1;
        retain = true;
      }
    }
    if (retain) a.retained.add(frameIndex);

    const update = buildUpdate(a, t, guidance, progress, flashStep, retain, frameIndex);
    a.lastUpdate = update;
    return update;
  }

  function buildUpdate(
    a: Attempt,
    t: number,
    guidance: GuidanceCode[],
    progress: number,
    flashStep: number | undefined,
    retain: boolean,
    frameIndex: number,
  ): SessionUpdate {
    const step = a.step;
    const windowEnd = a.phase === 'done' || !step ? t : (a.stepStartMs ?? t) + step.windowMs;
    const update: SessionUpdate = {
      phase: a.phase,
      guidance,
      challengeIndex: a.challengeIndex,
      challengesTotal: a.plan.challenges.length,
      challengeProgress: Math.round(Math.min(1, Math.max(0, a.phase === 'done' ? 1 : progress)) * 100) / 100,
      secondsLeft: Math.max(0, Math.round((windowEnd - t) / 100) / 10),
      retain,
      frameIndex,
      done: a.phase === 'done',
    };
    if (a.phase === 'challenge' && a.tracker) update.currentChallenge = a.tracker.challenge;
    if (flashStep !== undefined && a.phase === 'flash') update.flashStep = flashStep;
    return update;
  }

  // ---- decision -----------------------------------------------------------------------------------------------

  interface Computed {
    breakdown: ScoreBreakdown;
    verdict: AttemptVerdict;
    outcomes: ChallengeOutcome[];
    flash: FlashAnalysis | null;
    planar: PlanarAnalysis | null;
    reference: FrameRecord | null;
    evidence: EvidenceFrame[];
  }

  function pendingOutcomes(a: Attempt): ChallengeOutcome[] {
    const outcomes = [...a.outcomes];
    if (a.tracker) {
      const timedOut = a.lastTimestamp - (a.stepStartMs ?? a.lastTimestamp) >= a.plan.challengeWindowMs;
      outcomes.push(a.tracker.outcome(timedOut));
    }
    for (const challenge of a.plan.challenges.slice(outcomes.length)) {
      outcomes.push({ challenge, completed: false, reason: 'not_reached', amplitude: 0, credit: 0, peakFrameIndex: null });
    }
    return outcomes;
  }

  function chooseReference(a: Attempt): FrameRecord | null {
    if (a.bestReference) return a.frames[a.bestReference.frameIndex];
    let best: FrameRecord | null = null;
    for (const f of a.frames) if (f.face && (!best || f.face.quality > (best.face?.quality ?? -1))) best = f;
    return best;
  }

  function selectEvidence(a: Attempt, reference: FrameRecord | null, outcomes: ChallengeOutcome[]): EvidenceFrame[] {
    const chosen = new Map<number, EvidenceFrame>();
    const add = (frameIndex: number, role: EvidenceFrame['role'], challenge?: EvidenceFrame['challenge']): void => {
      if (chosen.size >= MAX_EVIDENCE_FRAMES || chosen.has(frameIndex) || !a.retained.has(frameIndex)) return;
      const entry: EvidenceFrame = { frameIndex, timestampMs: a.frames[frameIndex].timestampMs, role };
      if (challenge) entry.challenge = challenge;
      chosen.set(frameIndex, entry);
    };
    if (reference) add(reference.frameIndex, 'reference');
    for (const o of outcomes) if (o.peakFrameIndex !== null) add(o.peakFrameIndex, 'challenge_peak', o.challenge);
    const flashFrames = a.frames.filter((f) => f.phase === 'flash' && f.face && a.retained.has(f.frameIndex));
    const flashSlots = Math.max(0, MAX_EVIDENCE_FRAMES - chosen.size);
    if (flashFrames.length > 0 && flashSlots > 0) {
      const stride = Math.max(1, flashFrames.length / flashSlots);
      for (let i = 0; i < flashFrames.length && chosen.size < MAX_EVIDENCE_FRAMES; i += stride) add(flashFrames[Math.floor(i)].frameIndex, 'flash');
    }
    if (chosen.size < MIN_EVIDENCE_FRAMES) {
      const extras = a.frames
        .filter((f) => f.face && a.retained.has(f.frameIndex) && !chosen.has(f.frameIndex))
        .sort((x, y) => (y.face?.quality ?? 0) - (x.face?.quality ?? 0));
      for (const f of extras) {
        if (chosen.size >= MIN_EVIDENCE_FRAMES) break;
        add(f.frameIndex, 'extra');
      }
    }
    return [...chosen.values()].sort((x, y) => x.frameIndex - y.frameIndex);
  }

  function compute(a: Attempt): Computed {
    const outcomes = pendingOutcomes(a);
    const faceFrames = a.frames.filter((f) => f.face);
    const reference = chooseReference(a);
    const baseline = a.baseline;
    // Passive: the best-quality neutral frames (all face frames when there is no baseline or no neutral one).
    const neutral = baseline ? faceFrames.filter((f) => f.face && isNeutral(f.face, baseline)) : faceFrames;
    const pool = (neutral.length ? neutral : faceFrames).slice().sort((x, y) => (y.face?.quality ?? 0) - (x.face?.quality ?? 0));
    const passive = passiveScoreOf(pool.slice(0, PASSIVE_BEST_FRAMES).map((f) => f.face?.pad ?? 0));

    let planar: PlanarAnalysis | null = null;
    if (a.plan.mode !== 'passive' && reference?.face) {
      const stride = Math.max(1, faceFrames.length / MAX_PLANAR_FRAMES);
      const sampled: Point2[][] = [];
      for (let i = 0; i < faceFrames.length; i += stride) sampled.push(faceFrames[Math.floor(i)].face?.points ?? []);
      planar = analyzePlanarity(reference.face.points, sampled);
    }

    let flash: FlashAnalysis | null = null;
    if (a.plan.flash && a.flashStartMs !== null) {
      const flashFrames = a.frames
        .filter((f) => f.face && f.timestampMs >= a.flashStartMs!)
        .map((f) => ({ timestampMs: f.timestampMs, regions: f.face!.regions }));
      flash = analyzeFlashResponse(flashFrames, a.plan.flash, a.flashStartMs);
    } else if (a.plan.flash) {
      flash = analyzeFlashResponse([], a.plan.flash, 0);
    }

    const inputs = {
      mode: a.plan.mode,
      threshold: cfg.liveness_threshold,
      noFlashSubstitute: a.plan.noFlashSubstitute,
      outcomes,
      passive,
      flash,
      planar,
    };
    const breakdown = combineScores(inputs);
    const evidenceInput: AttemptEvidence = {
      frames: a.frames.length,
      singleFaceFrames: faceFrames.length,
      multiFaceFrames: a.frames.filter((f) => f.faceCount > 1).length,
      positioned: a.positioned,
      positioningGuidance: a.positioningGuidance,
      reference: reference?.face
        ? { luminance: reference.face.luminance, quality: reference.face.quality, occlusion: reference.face.occlusion }
        : null,
    };
    const verdict = judgeAttempt(breakdown, inputs, evidenceInput);
    return { breakdown, verdict, outcomes, flash, planar, reference, evidence: selectEvidence(a, reference, outcomes) };
  }

  function toResult(a: Attempt, c: Computed, decision: AttemptDecision): LivenessResult {
    const ref = c.reference;
    const details: Record<string, number | string | boolean | null> = {
      active_score: c.breakdown.active,
      combined_from: Object.keys(c.breakdown.components).join(','),
      planar_residual: c.planar?.residual ?? null,
      planar_motion_frames: c.planar?.motionFrames ?? null,
      planar_attack: c.planar?.attack ?? null,
      planar_max_motion: c.planar ? Math.round(c.planar.maxMotion * 1000) / 1000 : null,
      flash_verdict: c.flash?.verdict ?? null,
      flash_correlation: c.flash ? Math.round(c.flash.meanCorrelation * 1000) / 1000 : null,
      flash_lag_ms: c.flash?.lagMs ?? null,
      flash_spatial_variation: c.flash ? Math.round(c.flash.spatialVariation * 1000) / 1000 : null,
      flash_amplitude: c.flash ? Math.round(c.flash.meanAmplitude * 1000) / 1000 : null,
      flash_absolute_amplitude: c.flash ? Math.round(c.flash.absoluteAmplitude * 1000) / 1000 : null,
      flash_attack: c.flash?.attack ?? null,
      no_flash_substitute: a.plan.noFlashSubstitute,
      attempt: ledger.attemptsUsed,
    };
    return {
      session_id: id,
      created_at: new Date(now()).toISOString(),
      liveness_mode: a.plan.mode,
      liveness_score: c.verdict.score,
      liveness_passed: decision.status === 'Approved',
      liveness_threshold: cfg.liveness_threshold,
      challenges_completed: c.outcomes.filter((o) => o.completed).map((o) => o.challenge),
      challenge_sequence: [...a.plan.challenges],
      flash_sequence: a.plan.flash,
      frames_captured: c.evidence.length,
      pose_variation_score: c.breakdown.pose,
      expression_variation_score: c.breakdown.expression,
      passive_score: c.breakdown.passive,
      flash_score: c.breakdown.flash,
      planar_score: c.breakdown.planar,
      status: decision.status,
      warnings: c.verdict.warnings,
      feedback_codes: decision.feedbackCodes,
      attempts_used: decision.attemptsUsed,
      max_attempts: decision.maxAttempts,
      face_quality: ref?.face ? Math.round(ref.face.quality) : null,
      face_luminance: ref?.face ? Math.round(ref.face.luminance) : null,
      reference_image: ref && ref.width > 0 && ref.height > 0
        ? { mime: 'image/jpeg', width: Math.round(ref.width), height: Math.round(ref.height), frameIndex: ref.frameIndex }
        : null,
      model_versions: { ...(deps.modelVersions ?? {}) },
      retry_allowed: decision.retryAllowed,
      feedback_messages: decision.feedbackMessages,
      challenge_outcomes: c.outcomes.map((o) => ({ ...o, amplitude: Math.round(o.amplitude * 1000) / 1000 })),
      score_details: details,
    };
  }

  function finish(): LivenessResult {
    if (ledger.state !== 'open') {
      if (attempt.result) return attempt.result;
      throw new CodedError('CONFLICT', 'This check has no attempt in progress.');
    }
    const c = compute(attempt);
    const decision = ledger.record({
      passed: c.verdict.passed,
      computedStatus: c.verdict.computedStatus,
      warnings: c.verdict.warnings,
      feedbackCodes: c.verdict.feedbackCodes,
    });
    attempt.phase = 'done';
    attempt.result = toResult(attempt, c, decision);
    return attempt.result;
  }

  function abandon(): LivenessResult {
    if (ledger.state === 'closed' && attempt.result) return attempt.result;
    const c = compute(attempt);
    const decision = ledger.abandon();
    attempt.phase = 'done';
    attempt.result = { ...toResult(attempt, c, decision), liveness_passed: false, feedback_codes: [], feedback_messages: [] };
    return attempt.result;
  }

  function retry(): SessionPlan {
    ledger.startRetry();
    // A fresh order and a fresh flash sequence: nothing a recording learnt from the last attempt helps.
    attempt = new Attempt(buildPlan(cfg, random));
    return attempt.plan;
  }

  return {
    id,
    get plan() {
      return attempt.plan;
    },
    get attempt() {
      return ledger.attemptsUsed + (ledger.state === 'open' ? 1 : 0);
    },
    pushFrame,
    finish,
    abandon,
    retry,
    evidence: () => selectEvidence(attempt, chooseReference(attempt), pendingOutcomes(attempt)),
    challengeOutcomes: () => pendingOutcomes(attempt),
    markFlashStart(timestampMs: number) {
      if (!Number.isFinite(timestampMs)) throw new CodedError('INVALID_ARGUMENT', 'markFlashStart needs a finite timestamp.');
      attempt.markedFlashStartMs = timestampMs;
      if (attempt.phase === 'flash') attempt.flashStartMs = timestampMs;
    },
  };
}
