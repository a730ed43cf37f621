// The end of an idle timeout: a visible countdown, and where a person must act, an "I am still here" button.
import { IDLE_WARNING_S } from '../idle';
import type { Translate } from '../i18n';

export function IdleNotice({
  t,
  secondsLeft,
  onStay,
  always,
}: {
  t: Translate;
  secondsLeft: number | null;
  onStay?: () => void;
  always?: boolean;
}) {
  if (secondsLeft === null || (!always && secondsLeft > IDLE_WARNING_S)) return null;
  return (
    <div className="idle-notice" role="timer" aria-live="polite" data-seconds={secondsLeft}>
      {onStay && <p className="idle-question">{t('idleQuestion')}</p>}
      <p className="countdown">{t('idleReturning', { n: secondsLeft })}</p>
      {onStay && (
        <button type="button" className="secondary" onClick={onStay}>
          {t('stayHere')}
        </button>
      )}
    </div>
  );
}
