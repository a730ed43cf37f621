// Attract screen: what will happen, in pictures, and how long it takes; language and display options. Staff mode
// opens with a long press on the top corner (or Ctrl+Shift+S from a staff keyboard), never a button customers see.
import { useEffect, useRef } from 'react';
import { LANGUAGES, type KioskSettings, type Language } from '../../shared/ipc-contract';
import { IDLE_TIMEOUT_S, useIdleTimeout } from '../idle';
import { LANGUAGE_NAMES, type StringKey, type Translate } from '../i18n';
import { expectedSeconds, journeySteps, type JourneyStep } from '../journey';
import { StepIcon } from './icons';

/** How long the hidden staff corner must be held: long enough that a customer's tap never opens it. */
export const STAFF_HOLD_MS = 2000;

interface Props {
  t: Translate;
  settings: KioskSettings | null;
  language: Language;
  onLanguage(language: Language): void;
  largeText: boolean;
  onLargeText(on: boolean): void;
  highContrast: boolean;
  onHighContrast(on: boolean): void;
  idleS: number | null;
  onIdle(): void;
  onStart(): void;
  /** "I have a code": a session a teller created (CodeEntry.tsx). */
  onCode(): void;
  onStaff(): void;
}

const STEP_TEXT: Record<JourneyStep, StringKey> = {
  consent: 'stepConsent',
  look: 'stepLook',
  moves: 'stepMoves',
  flash: 'stepFlash',
  result: 'stepResult',
};

export function AttractScreen(props: Props) {
  const { t, settings } = props;
  // Nobody is here: a language or display option the last person chose is cleared after a while.
  useIdleTimeout(props.idleS ?? IDLE_TIMEOUT_S.attract, props.onIdle);
  const liveness = settings?.liveness;
  const steps = liveness ? journeySteps(liveness.liveness_mode, liveness.no_flash) : null;
  const seconds = liveness ? expectedSeconds(liveness.liveness_mode, liveness.liveness_challenges.length, liveness.no_flash) : null;
  const hold = useRef<number | null>(null);
  const onStaff = useRef(props.onStaff);
  onStaff.current = props.onStaff;

  useEffect(() => {
    const key = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.shiftKey && event.key.toLowerCase() === 's') onStaff.current();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, []);
  const pressStart = () => {
    hold.current = window.setTimeout(() => onStaff.current(), STAFF_HOLD_MS);
  };
  const pressEnd = () => {
    if (hold.current !== null) window.clearTimeout(hold.current);
    hold.current = null;
  };

  return (
    <main className="screen attract">
      <div
        className="staff-corner"
        data-testid="staff-corner"
        onPointerDown={pressStart}
        onPointerUp={pressEnd}
        onPointerLeave={pressEnd}
      />
      <h1>{t('attractHeading')}</h1>
      <p className="lead">{t('attractBody')}</p>
      {steps && (
        <section className="journey" aria-labelledby="journey-heading">
          <h2 id="journey-heading">{t('howItWorks')}</h2>
          <ol className="journey-steps">
            {steps.map((step) => (
              <li key={step} data-step={step}>
                <StepIcon step={step} />
                <span>{t(STEP_TEXT[step])}</span>
              </li>
            ))}
          </ol>
          {seconds !== null && (
            <p className="duration" data-seconds={seconds}>
              {t('durationAbout', { n: seconds })}
            </p>
          )}
        </section>
      )}
      <button type="button" className="primary huge" onClick={props.onStart} autoFocus>
        {t('start')}
      </button>
      <button type="button" className="secondary" onClick={props.onCode}>
        {t('haveCode')}
      </button>
      <nav className="options" aria-label={t('language')}>
        <div className="language-buttons" role="group" aria-label={t('language')}>
          {LANGUAGES.map((code) => (
            <button
              key={code}
              type="button"
              lang={code}
              className={code === props.language ? 'chip selected' : 'chip'}
              aria-pressed={code === props.language}
              onClick={() => props.onLanguage(code)}
            >
              {LANGUAGE_NAMES[code]}
            </button>
          ))}
        </div>
        <div className="toggles">
          <button type="button" className="chip" aria-pressed={props.largeText} onClick={() => props.onLargeText(!props.largeText)}>
            {t('largeText')}
          </button>
          <button
            type="button"
            className="chip"
            aria-pressed={props.highContrast}
            onClick={() => props.onHighContrast(!props.highContrast)}
          >
            {t('highContrast')}
          </button>
        </div>
      </nav>
    </main>
  );
}
