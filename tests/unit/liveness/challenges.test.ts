import { describe, expect, it } from 'vitest';
import { createTracker, type Baseline, type ChallengeSample } from '../../../src/liveness/challenges';

const BASELINE: Baseline = { yaw: 2, pitch: 0, eyeOpen: 0.9, smile: 0.1 };

/** Samples from per-frame partial poses (neutral otherwise), 100 ms apart. */
function samples(poses: Partial<Pick<ChallengeSample, 'yaw' | 'eyeOpen' | 'smile'>>[]): ChallengeSample[] {
  return poses.map((p, i) => ({ frameIndex: i, timestampMs: i * 100, yaw: 2, pitch: 0, eyeOpen: 0.9, smile: 0.1, ...p }));
}

const neutral = (n: number) => Array.from({ length: n }, () => ({}));
const turn = (yaw: number) => [{ yaw: yaw / 2 }, { yaw }, { yaw }, { yaw: yaw / 2 }, { yaw: 2 }];
const smile = [{ smile: 0.5 }, { smile: 0.6 }, { smile: 0.6 }, { smile: 0.2 }];
const blink = [{ eyeOpen: 0.2 }, { eyeOpen: 0.1 }, { eyeOpen: 0.9 }];

function run(asked: Parameters<typeof createTracker>[0], poses: Parameters<typeof samples>[0], strict: boolean) {
  const tracker = createTracker(asked, BASELINE, { strict });
  for (const s of samples(poses)) tracker.push(s);
  return tracker.outcome(false);
}

describe('challenge trackers in a live window (strict: another deliberate action first fails the challenge)', () => {
  it('the asked action alone completes each challenge', () => {
    expect(run('head_left', [...neutral(2), ...turn(30)], true).reason).toBe('completed');
    expect(run('head_right', [...neutral(2), ...turn(-30)], true).reason).toBe('completed');
    expect(run('smile', [...neutral(2), ...smile], true).reason).toBe('completed');
    expect(run('blink', [...neutral(2), ...blink], true).reason).toBe('completed');
  });

  it('a head turn not asked, or a smile not asked, before the asked action is a wrong action', () => {
    expect(run('smile', [...neutral(2), ...turn(30), ...smile], true).reason).toBe('wrong_action');
    expect(run('blink', [...neutral(2), ...turn(-30), ...blink], true).reason).toBe('wrong_action');
    expect(run('head_left', [...neutral(2), ...smile, ...turn(30)], true).reason).toBe('wrong_action');
    expect(run('head_left', [...neutral(2), ...turn(-30), ...turn(30)], true).reason).toBe('wrong_action');
    expect(run('blink', [...neutral(2), ...smile, ...blink], true).reason).toBe('wrong_action');
  });

  it('a blink never fails another challenge (blinks are involuntary)', () => {
    expect(run('head_left', [...neutral(2), ...blink, ...turn(30)], true).reason).toBe('completed');
    expect(run('smile', [...neutral(2), ...blink, ...smile], true).reason).toBe('completed');
  });

  it('a smile still fading from the previous challenge is not a new one', () => {
    const fading = [{ smile: 0.6 }, { smile: 0.5 }, { smile: 0.3 }, { smile: 0.1 }];
    expect(run('blink', [...fading, ...neutral(2), ...blink], true).reason).toBe('completed');
  });

  it('other actions after the asked one is under way do not count against it', () => {
    expect(
      run('head_left', [...neutral(2), { yaw: 15 }, { yaw: 30 }, { yaw: 30, smile: 0.6 }, { yaw: 20, smile: 0.6 }, { yaw: 2 }], true)
        .reason,
    ).toBe('completed');
  });

  it('recorded clips (not strict) find every action wherever it happens', () => {
    expect(run('smile', [...neutral(2), ...turn(30), ...smile], false).reason).toBe('completed');
  });
});
