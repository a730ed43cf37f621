// The per-launch secret of the kiosk API: made once per start of the kiosk service, handed only to the kiosk page
// (the browser host puts it in the page it serves; Electron main gives it to the preload), and compared in
// constant time on every connection (WebSocket upgrade) or call (Electron IPC).
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits: not guessable, and a new one each launch, so a secret read from an old launch is worthless. */
export const LAUNCH_SECRET_BYTES = 32;

export function createLaunchSecret(): string {
  return randomBytes(LAUNCH_SECRET_BYTES).toString('hex');
}

/** True when `given` is exactly `expected`; anything that is not a string (absent, a number, an object) is false. */
export function launchSecretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || expected.length === 0) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
