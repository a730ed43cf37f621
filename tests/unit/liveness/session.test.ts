import { describe, expect, it } from 'vitest';
import { createLivenessSession, WRONG_MOVEMENT_GRACE_MS, WRONG_MOVEMENTS_FORGIVEN } from '../../../src/liveness/session';
import { analyzeClip } from '../../../src/liveness/clip';
import { generateFlashSequence } from '../../../src/liveness/flash';
import { seededRandom } from '../../../src/liveness/random';
import { parseLivenessConfig, type LivenessConfigInput } from '../../../src/shared/config';
import { livenessResultSchema } from '../../../src/shared/result';
import { FEEDBACK_SENTENCES, type Challenge } from '../../../src/shared/catalogue';
import { drive, GAINS_FLAT, GAINS_NONE, makeFrame, NEUTRAL, perform } from '../../../src/testkit/synthetic-frames';

const session = (input: LivenessConfigInput, seed: string) =>
  createLivenessSession(parseLivenessConfig(input), { seed, now: () => Date.UTC(2025, 0, 1), modelVersions: { pad: 'test' } });

describe('live session driven by synthetic frame streams', () => {
  it('a genuine active session passes with every challenge completed in the asked order, 8-12 frames kept', () => {
    for (let i = 0; i < 5; i++) {
      const s = session({ liveness_mode: 'active' }, `genuine-${i}`);
      const updates = drive(s);
      expect(updates.map((u) => u.phase)).toContain('challenge');
      expect(updates[updates.length - 1].done).toBe(true);
      const r = livenessResultSchema.parse(s.finish());
      expect(r.status).toBe('Approved');
      expect(r.liveness_passed).toBe(true);
      expect(r.challenges_completed).toEqual(r.challenge_sequence);
      expect(r.challenge_sequence).toHaveLength(4);
      expect(r.pose_variation_score).toBeGreaterThanOrEqual(85);
      expect(r.expression_variation_score).toBeGreaterThanOrEqual(85);
      expect(r.planar_score).toBeGreaterThanOrEqual(90);
      expect(r.frames_captured).toBeGreaterThanOrEqual(8);
      expect(r.frames_captured).toBeLessThanOrEqual(12);
      expect(r.reference_image?.frameIndex).toBeTypeOf('number');
      expect(r.warnings).toEqual([]);
      // Evidence frames are all frames the host was told to retain.
      const retained = new Set(updates.filter((u) => u.retain).map((u) => u.frameIndex));
      for (const e of s.evidence()) expect(retained.has(e.frameIndex)).toBe(true);
      expect(s.evidence().filter((e) => e.role === 'challenge_peak')).toHaveLength(4);
    }
  });

  it('the UI gets guidance, the current challenge, progress and a countdown', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['smile'] }, 'ui');
    const first = s.pushFrame(makeFrame(0, NEUTRAL));
    expect(first).toMatchObject({ phase: 'positioning', challengeIndex: 0, challengesTotal: 1, done: false });
    expect(first.guidance).toContain('hold_still');
    const dark = s.pushFrame(makeFrame(33, NEUTRAL, { luminance: 10 }));
    expect(dark.guidance).toContain('too_dark');
    expect(s.pushFrame(makeFrame(66, null)).guidance).toEqual(['no_face']);
    expect(s.pushFrame(makeFrame(99, NEUTRAL, { faces: 2 })).guidance).toEqual(['one_person']);
    let t = 132;
    let u = s.pushFrame(makeFrame(t, NEUTRAL));
    while (u.phase === 'positioning') u = s.pushFrame(makeFrame((t += 33), NEUTRAL));
    expect(u).toMatchObject({ phase: 'challenge', currentChallenge: 'smile' });
    expect(u.secondsLeft).toBeGreaterThan(7);
    const start = t;
    while (!u.done) u = s.pushFrame(makeFrame((t += 33), perform('smile', t - start)));
    expect(u.challengeIndex).toBe(1);
    expect(s.finish().challenges_completed).toEqual(['smile']);
  });

  it('a wrong-order performance does not count', () => {
    // The performer does the challenges in a fixed order of their own (a replayed recording), not the asked one.
    const recorded: Challenge[] = ['head_left', 'head_right', 'blink', 'smile'];
    let wrongOrders = 0;
    for (let i = 0; i < 12; i++) {
      const s = session({ liveness_mode: 'active', face_liveness_max_attempts: 1 }, `wrong-${i}`);
      if (s.plan.challenges.join() === recorded.join()) continue;
      wrongOrders++;
      drive(s, { respond: (_asked, index) => recorded[index] ?? null });
      const r = s.finish();
      expect(r.challenges_completed.length).toBeLessThan(4);
      // Whatever was completed matches what was asked at that step.
      r.challenge_outcomes!.forEach((o, k) => expect(o.challenge).toBe(r.challenge_sequence[k]));
      expect(r.status).not.toBe('Approved');
    }
    expect(wrongOrders).toBeGreaterThan(5);
  });

  it('turning the other way and never the asked way fails a head-turn challenge (wrong_action)', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['head_left'], face_liveness_max_attempts: 1 }, 'opposite');
    drive(s, { respond: () => 'head_right' });
    const r = s.finish();
    expect(r.challenge_outcomes![0]).toMatchObject({ challenge: 'head_left', completed: false, reason: 'wrong_action' });
    expect(r.pose_variation_score).toBe(0);
    expect(r.status).toBe('Declined');
  });

  it('another action before the asked one (a recording of another order) ends the attempt after the grace period: the rest are not reached', () => {
    for (let i = 0; i < 20; i++) {
      const s = session({ liveness_mode: 'active', face_liveness_max_attempts: 1 }, `foreign-${i}`);
      const [first, second] = s.plan.challenges;
      // Only orders where the first step is not a blink and the recording does the second step's action first.
      if (first === 'blink' || second === 'blink') continue;
      const updates = drive(s, { respond: (asked, index) => (index === 0 ? second : asked) });
      const r = s.finish();
      expect(r.challenge_outcomes![0]).toMatchObject({ challenge: first, completed: false, reason: 'wrong_action' });
      expect(r.challenge_outcomes!.slice(1).every((o) => o.reason === 'not_reached')).toBe(true);
      expect(updates.filter((u) => u.phase === 'challenge').every((u) => u.challengeIndex === 0)).toBe(true);
      expect(r.status).toBe('Declined');
      return;
    }
    throw new Error('no suitable order drawn in 20 sessions');
  });

  it('a challenge never asks the person to hold still: the challenge itself is a movement', () => {
    const s = session({ liveness_mode: 'active' }, 'no-hold-still');
    const updates = drive(s);
    const during = updates.filter((u) => u.phase === 'challenge');
    expect(during.length).toBeGreaterThan(20);
    expect(during.filter((u) => u.guidance.includes('hold_still'))).toEqual([]);
    // Positioning still asks for it (the baseline needs a still face).
    expect(updates.find((u) => u.phase === 'positioning')?.guidance).toContain('hold_still');
  });

  it('one wrong movement gets a grace period with "the other way", then the asked movement still counts', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['head_left'], face_liveness_max_attempts: 1 }, 'grace');
    let t = 0;
    let u = s.pushFrame(makeFrame(t, NEUTRAL));
    while (u.phase === 'positioning') u = s.pushFrame(makeFrame((t += 33), NEUTRAL));
    expect(u.currentChallenge).toBe('head_left');
    // The person turns to their right (the wrong way) and comes back.
    const wrongStart = t;
    const graceUpdates = [];
    while (t - wrongStart < 1200) graceUpdates.push((u = s.pushFrame(makeFrame((t += 33), perform('head_right', t - wrongStart)))));
    expect(graceUpdates.some((g) => g.guidance.includes('wrong_movement'))).toBe(true);
    expect(graceUpdates.every((g) => g.phase === 'challenge' && !g.done)).toBe(true);
    // Then the asked way: the challenge completes.
    const rightStart = t;
    while (!u.done && t - rightStart < 5000) u = s.pushFrame(makeFrame((t += 33), perform('head_left', t - rightStart)));
    expect(u.guidance).not.toContain('wrong_movement');
    const r = s.finish();
    expect(r.challenges_completed).toEqual(['head_left']);
    expect(r.score_details?.wrong_movements).toBe(1);
  });

  it(`a second wrong movement in the same attempt ends it (only ${WRONG_MOVEMENTS_FORGIVEN} is forgiven)`, () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['head_left'], face_liveness_max_attempts: 1 }, 'grace-twice');
    let t = 0;
    let u = s.pushFrame(makeFrame(t, NEUTRAL));
    while (u.phase === 'positioning') u = s.pushFrame(makeFrame((t += 33), NEUTRAL));
    for (let round = 0; round < 2 && !u.done; round++) {
      const start = t;
      while (!u.done && t - start < 1200) u = s.pushFrame(makeFrame((t += 33), perform('head_right', t - start)));
    }
    expect(u.done).toBe(true);
    expect(s.finish().challenge_outcomes![0]).toMatchObject({ challenge: 'head_left', completed: false, reason: 'wrong_action' });
  });

  it('a grace period that is not used (the head stays turned the wrong way) ends the attempt', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['head_left'], face_liveness_max_attempts: 1 }, 'grace-stuck');
    let t = 0;
    let u = s.pushFrame(makeFrame(t, NEUTRAL));
    while (u.phase === 'positioning') u = s.pushFrame(makeFrame((t += 33), NEUTRAL));
    const start = t;
    const turned = { ...NEUTRAL, yaw: NEUTRAL.yaw - 30 };
    while (!u.done && t - start < WRONG_MOVEMENT_GRACE_MS + 2000) u = s.pushFrame(makeFrame((t += 33), turned));
    expect(u.done).toBe(true);
    expect(t - start).toBeGreaterThanOrEqual(WRONG_MOVEMENT_GRACE_MS);
    expect(s.finish().challenge_outcomes![0].reason).toBe('wrong_action');
  });

  it('a timeout: the challenge does not count and the person gets retry feedback with the sentence', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['blink', 'smile'], challenge_timeout_s: 3 }, 'timeout');
    drive(s, { respond: () => null });
    const r = s.finish();
    expect(r.challenge_outcomes!.map((o) => o.reason)).toEqual(['timeout', 'timeout']);
    expect(r.challenges_completed).toEqual([]);
    expect(r).toMatchObject({ status: 'In Progress', retry_allowed: true, attempts_used: 1, max_attempts: 3 });
    expect(r.feedback_codes).toEqual(['LOW_LIVENESS_SCORE']);
    expect(r.feedback_messages).toEqual([FEEDBACK_SENTENCES.LOW_LIVENESS_SCORE]);
    // The retry draws a fresh plan and a genuine attempt then passes.
    const plan = s.retry();
    expect(plan.challenges.sort()).toEqual(['blink', 'smile']);
    drive(s);
    expect(s.finish()).toMatchObject({ status: 'Approved', attempts_used: 2 });
  });

  it('no face: NO_FACE_DETECTED feedback and retries until the budget is spent, then the computed status', () => {
    const s = session({ liveness_mode: 'active', face_liveness_max_attempts: 2 }, 'noface');
    drive(s, { frameFor: (t) => makeFrame(t, null), maxMs: 21_000 });
    const r1 = s.finish();
    expect(r1).toMatchObject({ status: 'In Progress', retry_allowed: true, feedback_codes: ['NO_FACE_DETECTED'] });
    expect(r1.warnings).toContain('NO_FACE_DETECTED');
    expect(r1.feedback_messages).toEqual([FEEDBACK_SENTENCES.NO_FACE_DETECTED]);
    s.retry();
    drive(s, { frameFor: (t) => makeFrame(t, null), maxMs: 21_000 });
    const r2 = s.finish();
    expect(r2).toMatchObject({ status: 'Declined', retry_allowed: false, attempts_used: 2, max_attempts: 2 });
    expect(() => s.retry()).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('a photo tilted rigidly through the head turns fails on planar and is declined at once', () => {
    const s = session({ liveness_mode: 'active', liveness_challenges: ['head_left', 'head_right'] }, 'photo');
    drive(s, { planar: true });
    const r = s.finish();
    expect(r.planar_score).toBeLessThanOrEqual(30);
    expect(r.warnings).toContain('LIVENESS_FACE_ATTACK');
    expect(r).toMatchObject({ status: 'Declined', retry_allowed: false, attempts_used: 1 });
    expect(() => s.retry()).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('a replay with real motion but screen texture still fails on the passive score', () => {
    const s = session({ liveness_mode: 'active', face_liveness_max_attempts: 1 }, 'replay-texture');
    drive(s, { pad: 45 });
    const r = s.finish();
    expect(r.challenges_completed).toHaveLength(4);
    expect(r.liveness_score).toBe(45);
    expect(r.status).toBe('Declined');
  });

  it('flash and action_flash: genuine passes; flat print, emitting screen and replay of another sequence do not', () => {
    for (const mode of ['flash', 'action_flash'] as const) {
      const genuine = session({ liveness_mode: mode }, `${mode}-genuine`);
      drive(genuine);
      const g = genuine.finish();
      expect(g.status, mode).toBe('Approved');
      expect(g.flash_score).toBeGreaterThanOrEqual(75);
      expect(g.flash_sequence?.steps.length).toBeGreaterThan(0);
      expect(g.frames_captured).toBeGreaterThanOrEqual(8);

      const flat = session({ liveness_mode: mode }, `${mode}-flat`);
      drive(flat, { gains: GAINS_FLAT });
      expect(flat.finish().status).toBe('Declined');

      const screen = session({ liveness_mode: mode, face_liveness_max_attempts: 1 }, `${mode}-screen`);
      drive(screen, { gains: GAINS_NONE });
      expect(screen.finish().status).toBe('Declined');

      const replay = session({ liveness_mode: mode, face_liveness_max_attempts: 1 }, `${mode}-replay`);
      drive(replay, { litBy: generateFlashSequence(seededRandom(`${mode}-recorded`)) });
      expect(replay.finish().liveness_passed).toBe(false);
    }
  });

  it('no_flash: the extra head turn and the planar check replace the flash', () => {
    const s = session({ liveness_mode: 'flash', no_flash: true }, 'noflash');
    expect(s.plan.flash).toBeNull();
    drive(s);
    const r = s.finish();
    expect(r.status).toBe('Approved');
    expect(r.flash_sequence).toBeNull();
    expect(r.planar_score).toBeGreaterThanOrEqual(90);
    const photo = session({ liveness_mode: 'flash', no_flash: true }, 'noflash-photo');
    drive(photo, { planar: true });
    expect(photo.finish().status).toBe('Declined');
  });

  it('abandon gives status Abandoned; frames after finish and timestamps going back are coded errors', () => {
    const s = session({ liveness_mode: 'passive' }, 'abandon');
    s.pushFrame(makeFrame(100, NEUTRAL));
    expect(() => s.pushFrame(makeFrame(50, NEUTRAL))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(s.abandon()).toMatchObject({ status: 'Abandoned', liveness_passed: false });
    expect(() => s.pushFrame(makeFrame(200, NEUTRAL))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const p = session({ liveness_mode: 'passive' }, 'passive');
    drive(p);
    expect(livenessResultSchema.parse(p.finish())).toMatchObject({ status: 'Approved', liveness_mode: 'passive', passive_score: 90 });
  });
});

describe('recorded clips', () => {
  const clip = (order: Challenge[]) => {
    const frames = [];
    let t = 0;
    for (let i = 0; i < 30; i++) frames.push(makeFrame((t += 33), NEUTRAL));
    for (const c of order) {
      for (let k = 0; k < 45; k++) frames.push(makeFrame((t += 33), perform(c, k * 33)));
      for (let k = 0; k < 10; k++) frames.push(makeFrame((t += 33), NEUTRAL));
    }
    return frames;
  };

  it('without an expected order reports the challenges found in time order, scored as performed', () => {
    const { result, evidence } = analyzeClip(clip(['head_right', 'smile', 'head_left']), parseLivenessConfig({ liveness_mode: 'active' }));
    expect(result.challenge_sequence).toEqual(['head_right', 'smile', 'head_left']);
    expect(result.challenges_completed).toEqual(['head_right', 'smile', 'head_left']);
    expect(result.pose_variation_score).toBeGreaterThanOrEqual(85);
    expect(evidence.length).toBeGreaterThanOrEqual(8);
    expect(livenessResultSchema.parse(result).status).toBe('Approved');
  });

  it('with an expected order, a challenge performed out of order does not count', () => {
    const frames = clip(['head_right', 'head_left']);
    const cfg = parseLivenessConfig({ liveness_mode: 'active', liveness_challenges: ['head_left', 'head_right'] });
    expect(analyzeClip(frames, cfg, { expectOrder: ['head_right', 'head_left'] }).result.challenges_completed).toEqual([
      'head_right',
      'head_left',
    ]);
    // head_left was asked first, but head_right came first in its window: wrong action; head_right never follows it.
    const wrong = analyzeClip(frames, cfg, { expectOrder: ['head_left', 'head_right'] }).result;
    expect(wrong.challenges_completed).toEqual([]);
    expect(wrong.challenge_outcomes?.[0]).toMatchObject({ challenge: 'head_left', reason: 'wrong_action' });
    expect(wrong.status).not.toBe('Approved');
  });

  it('with an expected order, a blink before the asked action is not a wrong action (blinks are involuntary)', () => {
    const frames = clip(['blink', 'smile', 'head_left']);
    const cfg = parseLivenessConfig({ liveness_mode: 'active', liveness_challenges: ['smile', 'head_left'] });
    expect(analyzeClip(frames, cfg, { expectOrder: ['smile', 'head_left'] }).result.challenges_completed).toEqual(['smile', 'head_left']);
  });
});
