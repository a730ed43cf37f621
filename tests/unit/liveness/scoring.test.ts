import { describe, expect, it } from 'vitest';
import { statusForScore } from '../../../src/shared/bands';
import {
  activeScore,
  combineScores,
  judgeAttempt,
  passiveScoreOf,
  poseVariationScore,
  type AttemptEvidence,
  type ScoreInputs,
} from '../../../src/liveness/scoring';
import { challengeCredit } from '../../../src/liveness/challenges';
import type { ChallengeOutcome } from '../../../src/liveness/types';
import type { PlanarAnalysis } from '../../../src/liveness/planar';

// Credits are written out (not computed with challengeCredit), so a change to the credit curve shows up here.
const done = (challenge: ChallengeOutcome['challenge'], amplitude: number, credit: number): ChallengeOutcome => ({
  challenge,
  completed: true,
  reason: 'completed',
  amplitude,
  credit,
  peakFrameIndex: 1,
});
const missed = (challenge: ChallengeOutcome['challenge']): ChallengeOutcome => ({
  challenge,
  completed: false,
  reason: 'timeout',
  amplitude: 5,
  credit: 0,
  peakFrameIndex: null,
});

const goodEvidence: AttemptEvidence = {
  frames: 100,
  singleFaceFrames: 100,
  multiFaceFrames: 0,
  positioned: true,
  positioningGuidance: {},
  reference: { luminance: 55, quality: 80, occlusion: 0 },
};

function passiveInputs(passive: number, threshold: number): ScoreInputs {
  return { mode: 'passive', threshold, noFlashSubstitute: false, outcomes: [], passive, flash: null, planar: null };
}

function verdictFor(passive: number, threshold: number) {
  const inputs = passiveInputs(passive, threshold);
  return judgeAttempt(combineScores(inputs), inputs, goodEvidence);
}

describe('bands and threshold edges', () => {
  it.each([
    [100, 75, 'Approved'],
    [75, 75, 'Approved'],
    [74, 75, 'In Review'],
    [50, 75, 'In Review'],
    [49, 75, 'Declined'],
    [0, 75, 'Declined'],
    [0, 0, 'Approved'],
    [100, 100, 'Approved'],
    [99, 100, 'In Review'],
    [49, 100, 'Declined'],
    [40, 40, 'Approved'],
    [39, 40, 'Declined'],
  ] as const)('score %i with threshold %i -> %s', (score, threshold, status) => {
    expect(statusForScore(score, threshold)).toBe(status);
    const verdict = verdictFor(score, threshold);
    // PAD below the attack floor is a confirmed attack, which declines whatever the threshold.
    if (score >= 30) expect(verdict.computedStatus).toBe(status);
    expect(verdict.passed).toBe(status === 'Approved' && score >= 30);
    expect(verdict.warnings.includes('LOW_LIVENESS_SCORE')).toBe(score < threshold);
  });

  it('a score below threshold that is not an attack gives LOW_LIVENESS_SCORE feedback', () => {
    const v = verdictFor(60, 75);
    expect(v.feedbackCodes).toEqual(['LOW_LIVENESS_SCORE']);
    expect(v.attack).toBe(false);
  });

  it('PAD under the attack floor is LIVENESS_FACE_ATTACK with no feedback', () => {
    const v = verdictFor(10, 75);
    expect(v.attack).toBe(true);
    expect(v.warnings).toContain('LIVENESS_FACE_ATTACK');
    expect(v.feedbackCodes).toEqual([]);
    expect(v.computedStatus).toBe('Declined');
  });
});

describe('challenge credit', () => {
  it('is 85 at the minimum amplitude and 100 at a clear one, linear between', () => {
    expect(challengeCredit('head_left', 20)).toBe(85);
    expect(challengeCredit('head_right', 27.5)).toBe(92.5);
    expect(challengeCredit('head_left', 35)).toBe(100);
    expect(challengeCredit('head_left', 60)).toBe(100);
  });
});

describe('active score', () => {
  it('is 50% pose + 50% expression, counting only completed challenges', () => {
    const outcomes = [done('head_left', 35, 100), done('head_right', 20, 85), done('blink', 0.8, 100), missed('smile')];
    const pose = poseVariationScore(outcomes);
    expect(pose).toBe(93); // (100 + 85) / 2 = 92.5, rounded half up
    const planar3d = { score: 100, attack: false } as PlanarAnalysis;
    const breakdown = combineScores({
      mode: 'active',
      threshold: 75,
      noFlashSubstitute: false,
      outcomes,
      passive: 95,
      flash: null,
      planar: planar3d,
    });
    expect(breakdown.expression).toBe(50);
    expect(breakdown.active).toBe(72); // 0.5 * 93 + 0.5 * 50 = 71.5, rounded half up
    expect(breakdown.final).toBe(breakdown.active);
  });

  it('uses the one kind asked when only one kind was asked; null when nothing was asked', () => {
    expect(activeScore(90, null)).toBe(90);
    expect(activeScore(null, 70)).toBe(70);
    expect(activeScore(null, null)).toBeNull();
  });

  it('liveness_score is the minimum of the components: a replay with real motion fails on texture, a photo on planar', () => {
    const outcomes = [done('head_left', 30, 95), done('blink', 0.9, 100)];
    const planar3d = { score: 100, attack: false } as PlanarAnalysis;
    const replay = combineScores({
      mode: 'active',
      threshold: 75,
      noFlashSubstitute: false,
      outcomes,
      passive: 35,
      flash: null,
      planar: planar3d,
    });
    expect(replay.final).toBe(35);
    const photo = combineScores({
      mode: 'active',
      threshold: 75,
      noFlashSubstitute: false,
      outcomes,
      passive: 92,
      flash: null,
      planar: { score: 5, attack: true } as PlanarAnalysis,
    });
    expect(photo.final).toBe(5);
    expect(photo.components).toMatchObject({ passive: 92, planar: 5 });
  });

  it('a completed head turn requires a planar score: a turn the landmarks did not show (a tilted photo) counts as 0', () => {
    const turned = [done('head_left', 25, 90), done('blink', 0.8, 100)];
    const b = combineScores({
      mode: 'active',
      threshold: 75,
      noFlashSubstitute: false,
      outcomes: turned,
      passive: 92,
      flash: null,
      planar: null,
    });
    expect(b.components.planar).toBe(0);
    expect(b.final).toBe(0);
    // Without a completed head turn, "not measured" stays out of the minimum (a person who held still for a blink).
    const still = [missed('head_left'), done('blink', 0.8, 100)];
    const s = combineScores({
      mode: 'active',
      threshold: 75,
      noFlashSubstitute: false,
      outcomes: still,
      passive: 92,
      flash: null,
      planar: null,
    });
    expect(s.components.planar).toBeUndefined();
    expect(s.final).toBe(s.active);
  });

  it('no-flash path requires a planar score (missing counts as 0)', () => {
    const outcomes = [done('head_left', 30, 95)];
    const b = combineScores({ mode: 'flash', threshold: 75, noFlashSubstitute: true, outcomes, passive: 92, flash: null, planar: null });
    expect(b.components.planar).toBe(0);
    expect(b.components.flash).toBeUndefined();
    expect(b.final).toBe(0);
  });
});

describe('passive score', () => {
  it('is a robust high quantile: one spike does not lift it, one dip does not sink it', () => {
    expect(passiveScoreOf([20, 22, 21, 23, 99])).toBe(23);
    expect(passiveScoreOf([90, 91, 5, 92, 90])).toBe(91);
    expect(passiveScoreOf([])).toBeNull();
  });
});

describe('feedback and warnings', () => {
  it('never positioned: the most frequent guidance becomes the feedback code', () => {
    const inputs = passiveInputs(0, 75);
    const v = judgeAttempt(
      combineScores(inputs),
      { ...inputs, passive: null },
      {
        ...goodEvidence,
        singleFaceFrames: 40,
        positioned: false,
        positioningGuidance: { too_dark: 30, hold_still: 5 },
        reference: { luminance: 12, quality: 60, occlusion: 0 },
      },
    );
    expect(v.feedbackCodes).toContain('LOW_FACE_LUMINANCE');
    expect(v.passed).toBe(false);
  });

  it('no face at all: NO_FACE_DETECTED warning and feedback', () => {
    const inputs = { ...passiveInputs(0, 75), passive: null };
    const v = judgeAttempt(combineScores(inputs), inputs, {
      ...goodEvidence,
      singleFaceFrames: 0,
      positioned: false,
      positioningGuidance: { no_face: 50 },
      reference: null,
    });
    expect(v.warnings).toContain('NO_FACE_DETECTED');
    expect(v.feedbackCodes).toEqual(['NO_FACE_DETECTED']);
    expect(v.attack).toBe(false);
  });

  it('several faces: MULTIPLE_FACES_DETECTED, and a high score does not pass', () => {
    const inputs = passiveInputs(95, 75);
    const v = judgeAttempt(combineScores(inputs), inputs, { ...goodEvidence, multiFaceFrames: 30 });
    expect(v.warnings).toContain('MULTIPLE_FACES_DETECTED');
    expect(v.feedbackCodes).toContain('MULTIPLE_FACES_DETECTED');
    expect(v.passed).toBe(false);
    expect(v.computedStatus).toBe('In Review');
  });
});
