// Recorded clips (CLI `liveness check <video>`, `liveness eval`): the same detectors and scores as the live session,
// but nobody was prompted, so the challenges are found in time order. PURE.
//
// Without expectOrder the challenges found (first occurrence of each configured type) are reported in time order and
// scored as performed. With expectOrder each expected challenge counts only when it is completed after the previous
// one and inside its window (challenge_timeout_s from the previous completion, or from the first face frame), and no
// other head turn or smile was completed in that window before it (blinks are involuntary and never count).
import type { FrameAnalysis } from '../shared/analysis';
import type { Challenge } from '../shared/catalogue';
import { livenessConfigSchema, type LivenessConfig } from '../shared/config';
import { CodedError } from '../shared/errors';
import type { FlashSequence, LivenessResult } from '../shared/result';
import { baselineOf, createTracker, sampleOf, SMILE_RISE, type ChallengeSample, type ChallengeTracker } from './challenges';
import { analyzeFlashResponse, type FlashAnalysis } from './flash';
import { significantFaces } from './guidance';
import { analyzePlanarity, stablePoints, type PlanarAnalysis } from './planar';
import { randomHex, cryptoRandom } from './random';
import { normalizeScore } from '../shared/bands';
import { combineScores, judgeAttempt } from './scoring';
import type { ChallengeOutcome, EvidenceFrame } from './types';
import { median } from '../shared/stats';
import type { FlashTuning, PlanarTuning } from '../shared/tunables';

export interface ClipOptions {
  /** The order the person was asked to perform, if known. */
  expectOrder?: Challenge[];
  /** The flash sequence shown during the recording (flash modes). */
  flashSequence?: FlashSequence;
  /** When the sequence started, on the frames' clock (default: the first frame). */
  flashStartMs?: number;
  sessionId?: string;
  now?: () => number;
  modelVersions?: Record<string, string>;
  /** Site-refit flash and planar constants (`liveness calibrate`); default src/shared/tunables.ts. */
  tuning?: { flash?: Readonly<FlashTuning>; planar?: Readonly<PlanarTuning> };
}

export interface ClipEvent {
  challenge: Challenge;
  completedAtMs: number;
  outcome: ChallengeOutcome;
}

const CHALLENGE_TYPES: readonly Challenge[] = ['head_left', 'head_right', 'blink', 'smile'];

/** Every completed challenge in the clip, in time order (trackers restart after each completion). */
export function findChallengeEvents(samples: readonly ChallengeSample[], baselineSamples: readonly ChallengeSample[]): ClipEvent[] {
  const baseline = baselineOf(baselineSamples.length ? baselineSamples : samples);
  const events: ClipEvent[] = [];
  const trackers = new Map<Challenge, ChallengeTracker>(CHALLENGE_TYPES.map((c) => [c, createTracker(c, baseline)]));
  // A held smile is one smile: after one completes, the next is looked for only once the smile has faded.
  let smileHeld = false;
  for (const s of samples) {
    if (smileHeld && s.smile - baseline.smile < SMILE_RISE / 2) smileHeld = false;
    for (const challenge of CHALLENGE_TYPES) {
      if (challenge === 'smile' && smileHeld) continue;
      const tracker = trackers.get(challenge)!;
      tracker.push(s);
      if (tracker.completed) {
        events.push({ challenge, completedAtMs: s.timestampMs, outcome: tracker.outcome(false) });
        if (challenge === 'smile') smileHeld = true;
        trackers.set(challenge, createTracker(challenge, baseline));
      } else if (tracker.wrongAction) {
        trackers.set(challenge, createTracker(challenge, baseline));
      }
    }
  }
  return events;
}

/** Median of the frames' PAD scores, 0-100 integer; null without frames. */
function medianPadScore(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  return normalizeScore(median(scores));
}

const notDone = (challenge: Challenge, reason: ChallengeOutcome['reason']): ChallengeOutcome => ({
  challenge,
  completed: false,
  reason,
  amplitude: 0,
  credit: 0,
  peakFrameIndex: null,
});

export interface ClipAnalysis {
  /** The brief's result object (print it as the CLI's JSON line). */
  result: LivenessResult;
  /** The 8-12 evidence frames (frameIndex = index in the frames given, which must be in time order). */
  evidence: EvidenceFrame[];
  /** Every challenge found in the clip, in time order. */
  events: ClipEvent[];
  /** The flash and planar measures behind the scores (null when the mode did not run them). */
  flash: FlashAnalysis | null;
  planar: PlanarAnalysis | null;
}

/** Analyse a recorded clip's per-frame engine results (frames in time order). Throws CodedError INVALID_ARGUMENT. */
export function analyzeClip(frames: readonly FrameAnalysis[], config: LivenessConfig, options: ClipOptions = {}): ClipAnalysis {
  const parsed = livenessConfigSchema.safeParse(config);
  if (!parsed.success) throw new CodedError('INVALID_ARGUMENT', 'The liveness configuration is not valid.');
  const cfg = parsed.data;
  const mode = cfg.liveness_mode;
  const flashMode = mode === 'flash' || mode === 'action_flash';
  if (flashMode && !options.flashSequence) {
    throw new CodedError('INVALID_ARGUMENT', `Mode ${mode} needs the flash sequence that was shown (--flash-sequence).`);
  }
  for (let i = 1; i < frames.length; i++) {
    if (!(frames[i].timestampMs >= frames[i - 1].timestampMs))
      throw new CodedError('INVALID_ARGUMENT', 'Clip frames must be in time order.');
  }
  const ordered = frames;
  const singles = ordered
    .map((frame, frameIndex) => ({ frame, frameIndex, faces: significantFaces(frame) }))
    .filter((f) => f.faces.length === 1)
    .map((f) => ({ ...f, face: f.faces[0], sample: sampleOf(f.faces[0], f.frameIndex, f.frame.timestampMs) }));
  const multiFaceFrames = ordered.filter((f) => significantFaces(f).length > 1).length;

  // Neutral baseline: the first second with a face.
  const firstMs = singles.length ? singles[0].frame.timestampMs : 0;
  const baselineSamples = singles.filter((s) => s.frame.timestampMs - firstMs <= 1000).map((s) => s.sample);
  const baseline = baselineOf(baselineSamples.length ? baselineSamples : singles.map((s) => s.sample));
  const events = findChallengeEvents(
    singles.map((s) => s.sample),
    baselineSamples,
  );

  // Which challenges, and which count.
  const wanted = mode === 'passive' || mode === 'flash' ? [] : cfg.liveness_challenges;
  let sequence: Challenge[];
  let outcomes: ChallengeOutcome[];
  const windowMs = cfg.challenge_timeout_s * 1000;
  if (options.expectOrder && options.expectOrder.length) {
    sequence = [...options.expectOrder];
    outcomes = [];
    let since = firstMs;
    for (const challenge of sequence) {
      const hit = events.find((e) => e.challenge === challenge && e.completedAtMs > since && e.completedAtMs - since <= windowMs);
      // As in the live session: another deliberate action (a head turn not asked, a smile not asked; never a blink)
      // completed in this challenge's window before the asked one fails it.
      const foreign =
        hit &&
        events.some(
          (e) => e.completedAtMs > since && e.completedAtMs < hit.completedAtMs && e.challenge !== challenge && e.challenge !== 'blink',
        );
      if (foreign) {
        outcomes.push(notDone(challenge, 'wrong_action'));
        since = hit.completedAtMs;
      } else if (hit) {
        outcomes.push(hit.outcome);
        since = hit.completedAtMs;
      } else {
        outcomes.push(notDone(challenge, 'timeout'));
        since += windowMs;
      }
    }
  } else {
    sequence = [];
    outcomes = [];
    for (const e of events) {
      if (!wanted.includes(e.challenge) || sequence.includes(e.challenge)) continue;
      sequence.push(e.challenge);
      outcomes.push(e.outcome);
    }
  }

  // Reference: best-quality neutral frame.
  const neutral = singles.filter(
    (s) =>
      Math.abs(s.sample.yaw - baseline.yaw) <= 8 && s.sample.eyeOpen >= 0.8 * baseline.eyeOpen && s.sample.smile - baseline.smile <= 0.1,
  );
  const byQuality = (neutral.length ? neutral : singles).slice().sort((a, b) => b.face.quality.score - a.face.quality.score);
  const reference = byQuality[0];
  // Passive (H6): the median PAD over every face frame, not the best few. A recorded clip is one presentation: a
  // replay that shows a real face for a moment (fixtures: a person beside the phone for the first 2 s) must not pass
  // on those frames. The median of a genuine clip stays high (motion-blurred frames are a minority).
  const passive = medianPadScore(singles.map((s) => s.face.pad.score));

  let planar: PlanarAnalysis | null = null;
  if (mode !== 'passive' && reference) {
    const stride = Math.max(1, singles.length / 120);
    const pts = [];
    for (let i = 0; i < singles.length; i += stride) pts.push(stablePoints(singles[Math.floor(i)].face.landmarks));
    planar = analyzePlanarity(stablePoints(reference.face.landmarks), pts, options.tuning?.planar);
  }
  let flash: FlashAnalysis | null = null;
  if (flashMode && options.flashSequence) {
    const start = options.flashStartMs ?? ordered[0]?.timestampMs ?? 0;
    flash = analyzeFlashResponse(
      singles.map((s) => ({ timestampMs: s.frame.timestampMs, regions: s.face.regions })),
      options.flashSequence,
      start,
      undefined,
      options.tuning?.flash,
    );
  }

  const inputs = { mode, threshold: cfg.liveness_threshold, noFlashSubstitute: false, outcomes, passive, flash, planar };
  const breakdown = combineScores(inputs);
  const verdict = judgeAttempt(breakdown, inputs, {
    frames: ordered.length,
    singleFaceFrames: singles.length,
    multiFaceFrames,
    positioned: singles.length > 0,
    positioningGuidance: singles.length ? {} : { no_face: ordered.length },
    reference: reference
      ? { luminance: reference.face.quality.luminance, quality: reference.face.quality.score, occlusion: reference.face.quality.occlusion }
      : null,
  });

  // Evidence: reference, challenge peaks, flash frames, then the best remaining frames; 8-12.
  const evidence = new Map<number, EvidenceFrame>();
  const add = (frameIndex: number | null | undefined, role: EvidenceFrame['role'], challenge?: Challenge): void => {
    if (frameIndex === null || frameIndex === undefined || evidence.size >= 12 || evidence.has(frameIndex)) return;
    evidence.set(frameIndex, { frameIndex, timestampMs: ordered[frameIndex].timestampMs, role, ...(challenge ? { challenge } : {}) });
  };
  add(reference?.frameIndex, 'reference');
  for (const o of outcomes) add(o.peakFrameIndex, 'challenge_peak', o.challenge);
  if (flash) {
    const slots = Math.max(0, 12 - evidence.size);
    const stride = Math.max(1, singles.length / Math.max(1, slots));
    for (let i = 0; i < singles.length; i += stride) add(singles[Math.floor(i)].frameIndex, 'flash');
  }
  for (const s of byQuality) {
    if (evidence.size >= 8) break;
    add(s.frameIndex, 'extra');
  }

  const status = verdict.attack ? 'Declined' : verdict.computedStatus;
  const now = options.now ?? (() => Date.now());
  const result: LivenessResult = {
    session_id: options.sessionId ?? randomHex(cryptoRandom, 16),
    created_at: new Date(now()).toISOString(),
    liveness_mode: mode,
    liveness_score: verdict.score,
    liveness_passed: status === 'Approved',
    liveness_threshold: cfg.liveness_threshold,
    challenges_completed: outcomes.filter((o) => o.completed).map((o) => o.challenge),
    challenge_sequence: sequence,
    flash_sequence: options.flashSequence ?? null,
    frames_captured: evidence.size,
    pose_variation_score: breakdown.pose,
    expression_variation_score: breakdown.expression,
    passive_score: breakdown.passive,
    flash_score: breakdown.flash,
    planar_score: breakdown.planar,
    status,
    warnings: verdict.warnings,
    feedback_codes: verdict.passed ? [] : verdict.feedbackCodes,
    attempts_used: 1,
    max_attempts: cfg.face_liveness_max_attempts,
    face_quality: reference ? Math.round(reference.face.quality.score) : null,
    face_luminance: reference ? Math.round(reference.face.quality.luminance) : null,
    reference_image: reference
      ? { mime: 'image/jpeg', width: reference.frame.width, height: reference.frame.height, frameIndex: reference.frameIndex }
      : null,
    model_versions: { ...(options.modelVersions ?? {}) },
    retry_allowed: false,
    challenge_outcomes: outcomes.map((o) => ({ ...o, amplitude: Math.round(o.amplitude * 1000) / 1000 })),
    score_details: {
      combined_from: Object.keys(breakdown.components).join(','),
      planar_residual: planar?.residual ?? null,
      planar_attack: planar?.attack ?? null,
      planar_max_motion: planar ? Math.round(planar.maxMotion * 1000) / 1000 : null,
      flash_verdict: flash?.verdict ?? null,
      flash_correlation: flash ? Math.round(flash.meanCorrelation * 1000) / 1000 : null,
      flash_spatial_variation: flash ? Math.round(flash.spatialVariation * 1000) / 1000 : null,
      flash_amplitude: flash ? Math.round(flash.meanAmplitude * 1000) / 1000 : null,
      flash_absolute_amplitude: flash ? Math.round(flash.absoluteAmplitude * 1000) / 1000 : null,
      flash_lag_ms: flash?.lagMs ?? null,
      events_found: events.map((e) => e.challenge).join(','),
    },
  };
  return { result, evidence: [...evidence.values()].sort((a, b) => a.frameIndex - b.frameIndex), events, flash, planar };
}
