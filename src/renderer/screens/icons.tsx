// Pictograms as inline SVG (no icon font or image request; decorative, the text beside them carries the meaning).
// Challenge pictograms move (CSS animations in styles.css) to show the movement, not just name it.
import type { Challenge } from '../../shared/catalogue';
import type { JourneyStep } from '../journey';

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 3, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };

export function ChallengeIcon({ challenge }: { challenge: Challenge }) {
  return (
    <svg className={`challenge-icon icon-${challenge}`} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <g className="head">
        <ellipse cx="32" cy="32" rx="18" ry="23" {...stroke} />
        {challenge !== 'blink' && (
          <>
            <circle cx="25" cy="27" r="2.5" fill="currentColor" />
            <circle cx="39" cy="27" r="2.5" fill="currentColor" />
          </>
        )}
        {challenge === 'blink' && <path className="eyes" d="M20 28c3 3 7 3 10 0M34 28c3 3 7 3 10 0" {...stroke} />}
        {challenge === 'smile' ? <path className="mouth" d="M22 39c5 7 15 7 20 0" {...stroke} /> : <path d="M26 42h12" {...stroke} />}
      </g>
      {challenge === 'head_left' && <path className="arrow" d="M14 32H2m0 0 8-8m-8 8 8 8" {...stroke} strokeWidth={4} />}
      {challenge === 'head_right' && <path className="arrow" d="M50 32h12m0 0-8-8m8 8-8 8" {...stroke} strokeWidth={4} />}
    </svg>
  );
}

export function StepIcon({ step }: { step: JourneyStep }) {
  return (
    <svg className={`step-icon step-${step}`} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      {step === 'consent' && (
        <>
          <rect x="14" y="8" width="36" height="48" rx="4" {...stroke} />
          <path d="M22 22h20M22 30h20M22 44l6 6 12-14" {...stroke} />
        </>
      )}
      {step === 'look' && (
        <>
          <ellipse cx="32" cy="32" rx="16" ry="22" {...stroke} strokeDasharray="4 3" />
          <circle cx="26" cy="28" r="2" fill="currentColor" />
          <circle cx="38" cy="28" r="2" fill="currentColor" />
          <path d="M27 40h10" {...stroke} />
        </>
      )}
      {step === 'moves' && (
        <>
          <ellipse cx="32" cy="32" rx="14" ry="19" {...stroke} />
          <path d="M12 32H4m0 0 5-5m-5 5 5 5M52 32h8m0 0-5-5m5 5-5 5" {...stroke} />
        </>
      )}
      {step === 'flash' && (
        <>
          <rect x="8" y="10" width="48" height="36" rx="3" {...stroke} />
          <path d="M24 54h16M32 46v8" {...stroke} />
          <circle cx="32" cy="28" r="8" fill="currentColor" opacity="0.35" />
        </>
      )}
      {step === 'result' && (
        <>
          <circle cx="32" cy="32" r="22" {...stroke} />
          <path d="M21 33l8 8 15-17" {...stroke} strokeWidth={4} />
        </>
      )}
    </svg>
  );
}

export function TickIcon() {
  return (
    <svg className="tick-icon" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <circle cx="32" cy="32" r="28" fill="currentColor" />
      <path d="M18 33l9 9 19-21" fill="none" stroke="#ffffff" strokeWidth="6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
