// How the synthetic subject behaves over time: a person who reacts to the kiosk's prompts, or an attacker's hand
// tilting a photo when asked to turn. Pure timing logic; the scene renders the resulting poses.
import type { Challenge } from '../../shared/catalogue';
import { NEUTRAL_POSE, type SubjectPose } from './scene';
import { createRandom, type Random } from './random';

/** What the kiosk shows at a moment: the phase, the current challenge prompt (if any). */
export interface Prompt {
  challenge: Challenge | null;
}

export type PerformerStyle = 'person' | 'photo';

/** Envelope 0-1: ramp up, hold, ramp down (times in ms from the action's start). */
function envelope(t: number, up: number, hold: number, down: number): number {
  if (t <= 0) return 0;
  if (t < up) return 0.5 - 0.5 * Math.cos((Math.PI * t) / up);
  if (t < up + hold) return 1;
  if (t < up + hold + down) return 0.5 + 0.5 * Math.cos((Math.PI * (t - up - hold)) / down);
  return 0;
}

interface ActionTiming {
  up: number;
  hold: number;
  down: number;
}

const TIMING: Record<Challenge, ActionTiming> = {
  head_left: { up: 450, hold: 450, down: 450 },
  head_right: { up: 450, hold: 450, down: 450 },
  smile: { up: 350, hold: 700, down: 350 },
  blink: { up: 110, hold: 260, down: 130 },
};

/**
 * A subject that performs each prompted challenge once after a reaction delay, and again if the prompt stays up
 * (a person who was not understood tries again). Between actions: small natural sway.
 */
export class Performer {
  private readonly rng: Random;
  private readonly turnDeg: number;
  private readonly reactionMs: number;
  private readonly swayPhase: number;
  private current: Challenge | null = null;
  private promptStartMs = 0;

  constructor(
    seed: string | number,
    readonly style: PerformerStyle = 'person',
    /** Try again while the prompt stays up (live); a recording of a finished session did each action once. */
    private readonly repeat = true,
  ) {
    this.rng = createRandom(`performer:${seed}`);
    this.turnDeg = this.rng.range(24, 32);
    this.reactionMs = this.rng.range(250, 450);
    this.swayPhase = this.rng.range(0, Math.PI * 2);
  }

  /** The subject's pose at `timestampMs` given the prompt on screen then. */
  poseAt(timestampMs: number, prompt: Prompt): SubjectPose {
    if (prompt.challenge !== this.current) {
      this.current = prompt.challenge;
      this.promptStartMs = timestampMs;
    }
    const t = timestampMs / 1000;
    // A head never holds perfectly still; a hand holding a photo shakes a little too.
    const sway = this.style === 'person' ? 1.2 : 0.6;
    const pose: SubjectPose = {
      ...NEUTRAL_POSE,
      yawDeg: sway * Math.sin(0.9 * t + this.swayPhase),
      pitchDeg: 0.8 * sway * Math.sin(0.7 * t + 2 * this.swayPhase),
      rollDeg: 0.6 * sway * Math.sin(0.5 * t + 3 * this.swayPhase),
      offset: [0.004 * Math.sin(0.6 * t + this.swayPhase), 0.003 * Math.sin(0.8 * t), 0],
    };
    const challenge = this.current;
    if (!challenge) return pose;
    const timing = TIMING[challenge];
    const cycle = timing.up + timing.hold + timing.down + 900;
    const since = timestampMs - this.promptStartMs - this.reactionMs;
    const amount = since < 0 || (!this.repeat && since >= cycle) ? 0 : envelope(since % cycle, timing.up, timing.hold, timing.down);
    if (this.style === 'photo') {
      // Only rigid motion is possible: the attacker turns the photo when asked to turn, and can do nothing else.
      if (challenge === 'head_left') pose.yawDeg += this.turnDeg * amount;
      if (challenge === 'head_right') pose.yawDeg -= this.turnDeg * amount;
      if (challenge === 'smile' || challenge === 'blink') pose.pitchDeg += 8 * amount;
      return pose;
    }
    switch (challenge) {
      case 'head_left':
        pose.yawDeg += this.turnDeg * amount;
        break;
      case 'head_right':
        pose.yawDeg -= this.turnDeg * amount;
        break;
      case 'smile':
        pose.smile = amount;
        break;
      case 'blink':
        pose.eyeClosure = amount;
        break;
    }
    return pose;
  }
}

/**
 * A fixed timeline (no feedback): the challenges one after another, each given `slotMs`, starting at `startMs`.
 * Used for recordings, which by nature cannot react to the session they are played into.
 */
export function scheduledChallengeAt(order: readonly Challenge[], startMs: number, slotMs: number, timestampMs: number): Challenge | null {
  const index = Math.floor((timestampMs - startMs) / slotMs);
  return index >= 0 && index < order.length ? order[index] : null;
}
