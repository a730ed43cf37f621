// Which liveness changes lower assurance. Staff on the kiosk may only raise it; anything that lowers it comes
// from a signed workflow (see workflow-trust.ts).
import type { LivenessSettings } from '../../shared/config';

/** The fields of `next` that would weaken the check compared with `current` (empty when nothing does). */
export function assuranceLoweredBy(current: LivenessSettings, next: LivenessSettings): (keyof LivenessSettings)[] {
  const lowered: (keyof LivenessSettings)[] = [];
  if (next.liveness_threshold < current.liveness_threshold) lowered.push('liveness_threshold');
  // action_flash asks for everything the other modes do; any other change of mode trades one defence for another.
  if (next.liveness_mode !== current.liveness_mode && next.liveness_mode !== 'action_flash') lowered.push('liveness_mode');
  if (!current.liveness_challenges.every((challenge) => next.liveness_challenges.includes(challenge))) lowered.push('liveness_challenges');
  if (next.face_liveness_max_attempts > current.face_liveness_max_attempts) lowered.push('face_liveness_max_attempts');
  if (next.challenge_timeout_s > current.challenge_timeout_s) lowered.push('challenge_timeout_s');
  if (next.no_flash && !current.no_flash) lowered.push('no_flash');
  return lowered;
}
