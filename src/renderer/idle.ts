// Idle timeouts: every screen but attract goes back to attract when left alone, with a visible countdown at the end.
import { useEffect, useRef, useState } from 'react';

/**
 * Seconds without a touch or key before a screen gives up, per screen. Consent and staff give a person time to read
 * (45 s is about twice the consent text's reading time at 200 words a minute); the "nothing happened" screens are
 * short. The result screen uses the staff setting resultTimeoutS. Attract resets per-customer options after ATTRACT.
 */
export const IDLE_TIMEOUT_S = {
  attract: 60,
  consent: 45,
  declined: 15,
  cameraFailed: 30,
  staff: 120,
} as const;
/** The last seconds of a timeout are shown as a countdown ("Are you still there?") where a person must act. */
export const IDLE_WARNING_S = 10;

/**
 * Counts down `timeoutS` seconds, restarting on any touch, click or key; calls onTimeout at zero. Returns the
 * seconds left (so a screen can show the countdown) and a reset function (the "I am still here" button).
 */
export function useIdleTimeout(timeoutS: number | null, onTimeout: () => void): { secondsLeft: number | null; reset(): void } {
  const [secondsLeft, setSecondsLeft] = useState<number | null>(timeoutS);
  const deadline = useRef(0);
  const callback = useRef(onTimeout);
  callback.current = onTimeout;

  useEffect(() => {
    if (timeoutS === null) {
      setSecondsLeft(null);
      return;
    }
    deadline.current = performance.now() + timeoutS * 1000;
    setSecondsLeft(timeoutS);
    const activity = () => {
      deadline.current = performance.now() + timeoutS * 1000;
    };
    const timer = window.setInterval(() => {
      const left = Math.max(0, Math.ceil((deadline.current - performance.now()) / 1000));
      setSecondsLeft(left);
      if (left === 0) {
        // A screen that stays (attract) starts counting again; the others are gone after the callback.
        deadline.current = performance.now() + timeoutS * 1000;
        callback.current();
      }
    }, 250);
    window.addEventListener('pointerdown', activity);
    window.addEventListener('keydown', activity);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('pointerdown', activity);
      window.removeEventListener('keydown', activity);
    };
  }, [timeoutS]);

  return {
    secondsLeft,
    reset: () => {
      if (timeoutS !== null) deadline.current = performance.now() + timeoutS * 1000;
    },
  };
}
