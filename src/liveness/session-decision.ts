// One attempt's decision: challenge outcomes, reference and evidence frames, scores, verdict, the result body. PURE.
import type { LivenessConfig } from '../shared/config';
import type { LivenessResult } from '../shared/result';
import type { AttemptDecision } from './attempts';
import { analyzeFlashResponse, type FlashAnalysis } from './flash';
import { analyzePlanarity, type PlanarAnalysis, type Point2 } from './planar';
import { combineScores, judgeAttempt, passiveScoreOf, type AttemptEvidence, type AttemptVerdict, type ScoreBreakdown } from './scoring';
import { isNeutral, type Attempt, type FrameRecord } from './session-phases';
import type { ChallengeOutcome, EvidenceFrame } from './types';

/** Evidence kept per attempt (the brief: 8-12 frames). */
export const MIN_EVIDENCE_FRAMES = 8;
export const MAX_EVIDENCE_FRAMES = 12;
/** Frames whose PAD scores make the passive score. */
const PASSIVE_BEST_FRAMES = 5;
/** Bound the planar check's work on long sessions. */
const MAX_PLANAR_FRAMES = 120;

export interface Computed {
  breakdown: ScoreBreakdown;
  verdict: AttemptVerdict;
  outcomes: ChallengeOutcome[];
  flash: FlashAnalysis | null;
  planar: PlanarAnalysis | null;
  reference: FrameRecord | null;
  evidence: EvidenceFrame[];
}

/** Outcomes so far, with the running challenge and the ones never reached filled in. */
export function pendingOutcomes(a: Attempt): ChallengeOutcome[] {
  const outcomes = [...a.outcomes];
  if (a.tracker) {
    const timedOut = a.lastTimestamp - (a.stepStartMs ?? a.lastTimestamp) >= a.plan.challengeWindowMs;
    const running = a.tracker.outcome(timedOut);
    outcomes.push(!running.completed && a.currentHadWrongMovement ? { ...running, reason: 'wrong_action' } : running);
  }
  for (const challenge of a.plan.challenges.slice(outcomes.length)) {
    outcomes.push({ challenge, completed: false, reason: 'not_reached', amplitude: 0, credit: 0, peakFrameIndex: null });
  }
  return outcomes;
}

export function chooseReference(a: Attempt): FrameRecord | null {
  if (a.bestReference) return a.frames[a.bestReference.frameIndex];
  let best: FrameRecord | null = null;
  for (const f of a.frames) if (f.face && (!best || f.face.quality > (best.face?.quality ?? -1))) best = f;
  return best;
}

export function selectEvidence(a: Attempt, reference: FrameRecord | null, outcomes: ChallengeOutcome[]): EvidenceFrame[] {
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
    for (let i = 0; i < flashFrames.length && chosen.size < MAX_EVIDENCE_FRAMES; i += stride)
      add(flashFrames[Math.floor(i)].frameIndex, 'flash');
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

export function computeAttempt(a: Attempt, cfg: LivenessConfig): Computed {
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
    const start = a.flashStartMs;
    const flashFrames = a.frames
      .filter((f) => f.face && f.timestampMs >= start)
      .map((f) => ({ timestampMs: f.timestampMs, regions: f.face!.regions }));
    flash = analyzeFlashResponse(flashFrames, a.plan.flash, start);
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

export interface ResultContext {
  sessionId: string;
  createdAt: string;
  cfg: LivenessConfig;
  attemptNumber: number;
  modelVersions: Record<string, string>;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function toResult(a: Attempt, c: Computed, decision: AttemptDecision, ctx: ResultContext): LivenessResult {
  const ref = c.reference;
  const details: Record<string, number | string | boolean | null> = {
    active_score: c.breakdown.active,
    combined_from: Object.keys(c.breakdown.components).join(','),
    planar_residual: c.planar?.residual ?? null,
    planar_motion_frames: c.planar?.motionFrames ?? null,
    planar_attack: c.planar?.attack ?? null,
    planar_max_motion: c.planar ? round3(c.planar.maxMotion) : null,
    flash_verdict: c.flash?.verdict ?? null,
    flash_correlation: c.flash ? round3(c.flash.meanCorrelation) : null,
    flash_lag_ms: c.flash?.lagMs ?? null,
    flash_spatial_variation: c.flash ? round3(c.flash.spatialVariation) : null,
    flash_amplitude: c.flash ? round3(c.flash.meanAmplitude) : null,
    flash_absolute_amplitude: c.flash ? round3(c.flash.absoluteAmplitude) : null,
    flash_attack: c.flash?.attack ?? null,
    no_flash_substitute: a.plan.noFlashSubstitute,
    wrong_movements: a.wrongMovements,
    attempt: ctx.attemptNumber,
  };
  return {
    session_id: ctx.sessionId,
    created_at: ctx.createdAt,
    liveness_mode: a.plan.mode,
    liveness_score: c.verdict.score,
    liveness_passed: decision.status === 'Approved',
    liveness_threshold: ctx.cfg.liveness_threshold,
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
    reference_image:
      ref && ref.width > 0 && ref.height > 0
        ? { mime: 'image/jpeg', width: Math.round(ref.width), height: Math.round(ref.height), frameIndex: ref.frameIndex }
        : null,
    model_versions: { ...ctx.modelVersions },
    retry_allowed: decision.retryAllowed,
    feedback_messages: decision.feedbackMessages,
    challenge_outcomes: c.outcomes.map((o) => ({ ...o, amplitude: round3(o.amplitude) })),
    score_details: details,
  };
}
