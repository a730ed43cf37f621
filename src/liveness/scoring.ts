// Scores of one attempt and how they combine into liveness_score, its status, warnings and feedback codes. PURE.
//
// Component scores (each 0-100):
//   pose_variation_score       mean credit of the asked head turns (85 at 20 deg from neutral .. 100 at 35 deg; 0 when
//                              not done in the asked order inside its window); null when no head turn was asked.
//   expression_variation_score mean credit of the asked blink/smile (blink depth, smile rise); null when none asked.
//   active score               50% pose + 50% expression (the one that exists when only one was asked).
//   passive_score              75th percentile of the PAD score over the best-quality frames (robust high quantile).
//   flash_score                analyzeFlashResponse (flash.ts).
//   planar_score               analyzePlanarity (planar.ts); null when nothing moved enough.
// liveness_score = the MINIMUM of the components the mode uses, so every defence must hold on its own:
//   passive       passive
//   active        min(active, passive, planar?)      a replay of real motion still fails on screen texture (passive);
//                                                    a photo turned rigidly fails on planar.
//   flash         min(flash, passive, planar?)
//   action_flash  min(active, flash, passive, planar?)
//   no_flash      flash replaced by the extra challenge's active score and a REQUIRED planar score (missing = 0).
// (planar? = used when it could be measured; REQUIRED, missing = 0, when a head turn was completed: see planarRequired.) Status by the bands of src/shared/bands.ts with liveness_threshold.
import { normalizeScore, statusForScore, type DecidedStatus } from '../shared/bands';
import type { FeedbackCode, LivenessMode, Warning } from '../shared/catalogue';
import type { FlashAnalysis } from './flash';
import type { PlanarAnalysis } from './planar';
import type { ChallengeOutcome, GuidanceCode } from './types';
import { ATTACK_FLOOR } from './passive';
import { mean } from '../shared/stats';
import { tuned } from '../shared/tunables';

const HEAD_TURNS = new Set(['head_left', 'head_right']);

export function poseVariationScore(outcomes: readonly ChallengeOutcome[]): number | null {
  const asked = outcomes.filter((o) => HEAD_TURNS.has(o.challenge));
  return asked.length ? normalizeScore(mean(asked.map((o) => o.credit))) : null;
}

export function expressionVariationScore(outcomes: readonly ChallengeOutcome[]): number | null {
  const asked = outcomes.filter((o) => !HEAD_TURNS.has(o.challenge));
  return asked.length ? normalizeScore(mean(asked.map((o) => o.credit))) : null;
}

/** 50% pose + 50% expression; the one that exists when only one kind was asked; null when nothing was asked. */
export function activeScore(pose: number | null, expression: number | null): number | null {
  if (pose === null && expression === null) return null;
  if (pose === null) return expression;
  if (expression === null) return pose;
  return normalizeScore(0.5 * pose + 0.5 * expression);
}

/** Robust high quantile (75th percentile) of the PAD scores of the best frames; null without frames. */
export function passiveScoreOf(padScores: readonly number[]): number | null {
  if (padScores.length === 0) return null;
  const s = [...padScores].sort((a, b) => a - b);
  const pos = (s.length - 1) * 0.75;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return normalizeScore(s[lo] + (s[hi] - s[lo]) * (pos - lo));
}

export interface ScoreInputs {
  mode: LivenessMode;
  threshold: number;
  noFlashSubstitute: boolean;
  outcomes: readonly ChallengeOutcome[];
  passive: number | null;
  flash: FlashAnalysis | null;
  planar: PlanarAnalysis | null;
}

/**
 * The planar check must have measured something: on the no-flash path (it stands in for the flash's 3D proof), and
 * whenever a head turn was completed (a real turn of 20+ degrees moves the landmarks far beyond PLANAR_MIN_MOTION, so
 * "not measured" there means the motion was not a head's: a photo tilted just enough to move the yaw estimate).
 */
export function planarRequired(input: Pick<ScoreInputs, 'noFlashSubstitute' | 'outcomes'>): boolean {
  return input.noFlashSubstitute || input.outcomes.some((o) => o.completed && HEAD_TURNS.has(o.challenge));
}

export interface ScoreBreakdown {
  pose: number | null;
  expression: number | null;
  active: number | null;
  passive: number | null;
  flash: number | null;
  planar: number | null;
  /** The components that entered the minimum, by name. */
  components: Record<string, number>;
  final: number;
}

export function combineScores(input: ScoreInputs): ScoreBreakdown {
  const pose = poseVariationScore(input.outcomes);
  const expression = expressionVariationScore(input.outcomes);
  const active = activeScore(pose, expression);
  const flashUsed = (input.mode === 'flash' || input.mode === 'action_flash') && !input.noFlashSubstitute;
  const activeUsed = input.mode === 'active' || input.mode === 'action_flash' || input.noFlashSubstitute;
  const components: Record<string, number> = {};
  components.passive = input.passive ?? 0;
  if (activeUsed) components.active = active ?? 0;
  if (flashUsed) components.flash = input.flash?.score ?? 0;
  const planar = input.planar?.score ?? null;
  if (input.mode !== 'passive') {
    if (planar !== null) components.planar = planar;
    else if (planarRequired(input)) components.planar = 0;
  }
  const final = normalizeScore(Math.min(...Object.values(components)));
  return {
    pose,
    expression,
    active,
    passive: input.passive,
    flash: flashUsed ? (input.flash?.score ?? 0) : null,
    planar,
    components,
    final,
  };
}

/** What the attempt saw, for warnings and feedback. */
export interface AttemptEvidence {
  /** Frames pushed. */
  frames: number;
  /** Frames with exactly one significant face. */
  singleFaceFrames: number;
  /** Frames with more than one significant face. */
  multiFaceFrames: number;
  /** Whether positioning completed (one good, still face held). */
  positioned: boolean;
  /** How often each guidance code was shown while positioning. */
  positioningGuidance: Partial<Record<GuidanceCode, number>>;
  /** Reference frame measurements, when there is one. */
  reference: { luminance: number; quality: number; occlusion: number } | null;
}

export interface AttemptVerdict {
  score: number;
  computedStatus: DecidedStatus;
  passed: boolean;
  warnings: Warning[];
  feedbackCodes: FeedbackCode[];
  attack: boolean;
}

/** PAD this low over the best frames is a confirmed attack (shared with the passive decision). */
export const PAD_ATTACK_FLOOR = ATTACK_FLOOR;
export const MIN_FACE_QUALITY = tuned('minFaceQuality');

const GUIDANCE_FEEDBACK: Partial<Record<GuidanceCode, FeedbackCode>> = {
  no_face: 'NO_FACE_DETECTED',
  one_person: 'MULTIPLE_FACES_DETECTED',
  too_dark: 'LOW_FACE_LUMINANCE',
  too_bright: 'HIGH_FACE_LUMINANCE',
  uncover_face: 'HIGH_FACE_OCCLUSION',
  move_closer: 'LOW_FACE_QUALITY',
  move_back: 'LOW_FACE_QUALITY',
  center_face: 'LOW_FACE_QUALITY',
  hold_still: 'LOW_FACE_QUALITY',
};

/** A score above the threshold that did not pass (several faces, never positioned) goes to a person, not through. */
const reviewAtBest = (status: DecidedStatus): DecidedStatus => (status === 'Approved' ? 'In Review' : status);

export function judgeAttempt(breakdown: ScoreBreakdown, input: ScoreInputs, evidence: AttemptEvidence): AttemptVerdict {
  const warnings: Warning[] = [];
  const feedback = new Set<FeedbackCode>();
  const score = breakdown.final;
  const noFace = evidence.singleFaceFrames === 0 && evidence.multiFaceFrames === 0;
  if (noFace) warnings.push('NO_FACE_DETECTED');
  const multi = evidence.multiFaceFrames >= Math.max(3, 0.2 * (evidence.singleFaceFrames + evidence.multiFaceFrames));
  if (multi) warnings.push('MULTIPLE_FACES_DETECTED');

  const padAttack = input.passive !== null && evidence.singleFaceFrames >= 3 && input.passive < PAD_ATTACK_FLOOR;
  const attack = padAttack || Boolean(input.planar?.attack) || Boolean(input.flash?.attack && !input.noFlashSubstitute);
  if (attack) warnings.push('LIVENESS_FACE_ATTACK');

  const passed = !attack && !noFace && !multi && evidence.positioned && score >= input.threshold;
  if (score < input.threshold) warnings.push('LOW_LIVENESS_SCORE');

  if (!passed && !attack) {
    if (!evidence.positioned) {
      // The most frequent positioning problem is what to fix.
      const ranked = Object.entries(evidence.positioningGuidance).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
      const code = ranked.length ? GUIDANCE_FEEDBACK[ranked[0][0] as GuidanceCode] : 'NO_FACE_DETECTED';
      feedback.add(code ?? 'LOW_FACE_QUALITY');
    }
    if (noFace) feedback.add('NO_FACE_DETECTED');
    if (multi) feedback.add('MULTIPLE_FACES_DETECTED');
    const ref = evidence.reference;
    if (ref) {
      if (ref.luminance < 25) feedback.add('LOW_FACE_LUMINANCE');
      else if (ref.luminance > 85) feedback.add('HIGH_FACE_LUMINANCE');
      if (ref.occlusion > 0.35) feedback.add('HIGH_FACE_OCCLUSION');
      if (ref.quality < MIN_FACE_QUALITY) feedback.add('LOW_FACE_QUALITY');
    }
    if (feedback.size === 0) feedback.add('LOW_LIVENESS_SCORE');
  }
  return {
    score,
    computedStatus: attack ? 'Declined' : passed ? 'Approved' : reviewAtBest(statusForScore(score, input.threshold)),
    passed,
    warnings,
    feedbackCodes: [...feedback],
    attack,
  };
}
