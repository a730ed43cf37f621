// Challenge icons as inline SVG (no icon font or image request; decorative, the text carries the meaning).
import type { Challenge } from '../../shared/catalogue';

export function ChallengeIcon({ challenge }: { challenge: Challenge }) {
  return (
    <svg className={`challenge-icon icon-${challenge}`} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <ellipse cx="32" cy="32" rx="18" ry="23" fill="none" stroke="currentColor" strokeWidth="3" />
      {challenge === 'head_left' && <path d="M14 32H2m0 0 8-8m-8 8 8 8" fill="none" stroke="currentColor" strokeWidth="4" />}
      {challenge === 'head_right' && <path d="M50 32h12m0 0-8-8m8 8-8 8" fill="none" stroke="currentColor" strokeWidth="4" />}
      {challenge === 'smile' && (
        <>
          <circle cx="25" cy="27" r="2.5" fill="currentColor" />
          <circle cx="39" cy="27" r="2.5" fill="currentColor" />
          <path d="M22 39c5 7 15 7 20 0" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
        </>
      )}
      {challenge === 'blink' && (
        <>
          <path d="M20 28c3 3 7 3 10 0M34 28c3 3 7 3 10 0" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
          <path d="M26 42h12" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
        </>
      )}
    </svg>
  );
}
