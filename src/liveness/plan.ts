// The plan of one attempt: which challenges in which order, which flash sequence, and the steps. PURE.
//
// No-flash path of equal assurance (config.no_flash): the flash proves two things, (a) the capture is live now,
// because the colours were drawn a moment ago and a replay cannot follow them, and (b) the face is 3D, because the
// reflection varies across its regions. Without flash, (a) comes from one extra challenge drawn now (its type and
// its place in the order are unpredictable, so a recording has a 1-in-N chance per step) and (b) from the planar
// check, which is then REQUIRED: the extra challenges always include a head turn, whose parallax a flat photo or a
// screen cannot show (scoring.ts counts a missing planar score as 0 on this path).
import type { Challenge, LivenessMode } from '../shared/catalogue';
import type { LivenessConfig } from '../shared/config';
import type { FlashSequence } from '../shared/result';
import { generateFlashSequence, flashDurationMs, FLASH_MAX_LAG_MS } from './flash';
import { POSITIONING } from './guidance';
import { randomInt, shuffled } from './random';
import type { PlannedStep, RandomSource, SessionPlan } from './types';

/** Passive mode: how long good frames are collected after positioning. */
export const PASSIVE_CAPTURE_MS = 1000;

const HEAD_TURNS: readonly Challenge[] = ['head_left', 'head_right'];

function pick<T>(random: RandomSource, items: readonly T[]): T {
  return items[randomInt(random, items.length)];
}

/** Challenges for the mode, before ordering. */
function chooseChallenges(mode: LivenessMode, configured: readonly Challenge[], noFlash: boolean, random: RandomSource): Challenge[] {
  const headTurnsConfigured = configured.filter((c) => HEAD_TURNS.includes(c));
  // The no-flash substitute needs a head turn for parallax; prefer a configured one, else either direction.
  const extraHeadTurn = (exclude: readonly Challenge[]): Challenge => {
    const pool = headTurnsConfigured.filter((c) => !exclude.includes(c));
    return pick(random, pool.length ? pool : HEAD_TURNS.filter((c) => !exclude.includes(c)));
  };
  switch (mode) {
    case 'passive':
      return [];
    case 'active':
      return [...configured];
    case 'flash':
      return noFlash ? [extraHeadTurn([])] : [];
    case 'action_flash': {
      const action = pick(random, configured);
      if (!noFlash) return [action];
      if (HEAD_TURNS.includes(action)) {
        const others = configured.filter((c) => c !== action);
        return [action, others.length ? pick(random, others) : extraHeadTurn([action])];
      }
      return [action, extraHeadTurn([])];
    }
  }
}

export function buildPlan(config: LivenessConfig, random: RandomSource): SessionPlan {
  const mode = config.liveness_mode;
  const flashMode = mode === 'flash' || mode === 'action_flash';
  const noFlashSubstitute = flashMode && config.no_flash;
  const challenges = shuffled(random, chooseChallenges(mode, config.liveness_challenges, config.no_flash, random));
  const flash: FlashSequence | null = flashMode && !config.no_flash ? generateFlashSequence(random) : null;
  const challengeWindowMs = Math.round(config.challenge_timeout_s * 1000);
  const steps: PlannedStep[] = [{ kind: 'positioning', windowMs: POSITIONING.timeoutMs }];
  if (mode === 'passive') steps.push({ kind: 'capturing', windowMs: PASSIVE_CAPTURE_MS });
  for (const challenge of challenges) steps.push({ kind: 'challenge', challenge, windowMs: challengeWindowMs });
  if (flash) steps.push({ kind: 'flash', windowMs: flashDurationMs(flash) + FLASH_MAX_LAG_MS });
  return { mode, challenges, flash, challengeWindowMs, noFlashSubstitute, steps };
}
