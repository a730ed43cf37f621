// What the attract screen promises: the steps a mode has and an honest duration for them, from the core's own timings.
import type { LivenessMode } from '../shared/catalogue';
import { FLASH_DEFAULT_STEPS, FLASH_MAX_LAG_MS, FLASH_MAX_STEP_MS, FLASH_MIN_STEP_MS } from '../liveness/flash';
import { POSITIONING } from '../liveness/guidance';
import { PASSIVE_CAPTURE_MS } from '../liveness/plan';

/**
 * Time a person takes to read the consent, agree and get their face into the oval before the hold starts, and to
 * do one movement after reading its prompt. Observed while walking the e2e journey by hand in Chromium (not a
 * measured distribution); the windows the core allows are longer (POSITIONING.timeoutMs, challenge_timeout_s).
 */
export const TYPICAL_SETTLE_MS = 8000;
export const TYPICAL_MOVEMENT_MS = 3000;
/** Reading the result. */
export const TYPICAL_RESULT_MS = 3000;

export type JourneyStep = 'consent' | 'look' | 'moves' | 'flash' | 'result';

export function journeySteps(mode: LivenessMode, noFlash: boolean): JourneyStep[] {
  const moves = mode === 'active' || mode === 'action_flash' || (mode === 'flash' && noFlash);
  const flash = (mode === 'flash' || mode === 'action_flash') && !noFlash;
  return ['consent', 'look', ...(moves ? (['moves'] as const) : []), ...(flash ? (['flash'] as const) : []), 'result'];
}

/** Challenges a mode asks (action_flash one; flash without light one extra head turn). */
function movementsOf(mode: LivenessMode, challenges: number, noFlash: boolean): number {
  if (mode === 'active') return challenges;
  if (mode === 'action_flash') return noFlash ? 2 : 1;
  if (mode === 'flash') return noFlash ? 1 : 0;
  return 0;
}

/** Seconds the whole check usually takes, rounded up to 5 s. */
export function expectedSeconds(mode: LivenessMode, challenges: number, noFlash: boolean): number {
  const flashing = (mode === 'flash' || mode === 'action_flash') && !noFlash;
  const flashMs = flashing ? FLASH_DEFAULT_STEPS * ((FLASH_MIN_STEP_MS + FLASH_MAX_STEP_MS) / 2) + FLASH_MAX_LAG_MS : 0;
  const ms =
    TYPICAL_SETTLE_MS +
    POSITIONING.holdMs +
    (mode === 'passive' ? PASSIVE_CAPTURE_MS : 0) +
    movementsOf(mode, challenges, noFlash) * TYPICAL_MOVEMENT_MS +
    flashMs +
    TYPICAL_RESULT_MS;
  return Math.ceil(ms / 5000) * 5;
}
