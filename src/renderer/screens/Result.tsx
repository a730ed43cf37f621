// Result: the outcome in a status region, a short reference number to show staff, the next step, "Try again" only
// where a retry exists (with why the attempt did not count), and a visible countdown back to attract.
import { useEffect, useRef, useState } from 'react';
import type { CodedErrorShape } from '../../shared/errors';
import type { KioskApi, SessionOutcome, SessionPlan } from '../../shared/ipc-contract';
import { referenceNumber } from '../../shared/reference';
import { challengeHintKeys, feedbackKey, type StringKey, type Translate } from '../i18n';
import { IdleNotice } from './IdleNotice';
import { TickIcon } from './icons';

interface Props {
  t: Translate;
  api: KioskApi;
  outcome: SessionOutcome;
  timeoutS: number;
  onRetry(plan: SessionPlan): void;
  onDone(): void;
  onError(error: CodedErrorShape): void;
}

interface Wording {
  title: StringKey;
  body: StringKey;
  next: StringKey;
  tone: 'approved' | 'review' | 'declined' | 'retry';
}

const WORDING: Record<string, Wording> = {
  Approved: { title: 'approved', body: 'approvedBody', next: 'nextApproved', tone: 'approved' },
  'In Review': { title: 'inReview', body: 'inReviewBody', next: 'nextReview', tone: 'review' },
  Declined: { title: 'declined', body: 'declinedBody', next: 'nextDeclined', tone: 'declined' },
  Abandoned: { title: 'abandoned', body: 'abandonedBody', next: 'nextAbandoned', tone: 'declined' },
};

export function ResultScreen({ t, api, outcome, timeoutS, onRetry, onDone, onError }: Props) {
  const [secondsLeft, setSecondsLeft] = useState(timeoutS);
  const { result, canRetry } = outcome;

  const finish = async () => {
    // Leaving with a retry still open ends the session (recorded as Abandoned by the service).
    if (canRetry) await api.abandonSession({ sessionId: outcome.sessionId });
    onDone();
  };

  // The countdown calls the latest finish without restarting whenever the parent re-renders.
  const finishRef = useRef(finish);
  finishRef.current = finish;
  useEffect(() => {
    if (secondsLeft <= 0) {
      void finishRef.current();
      return;
    }
    const timer = window.setTimeout(() => setSecondsLeft((s) => s - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [secondsLeft]);

  const retry = async () => {
    const response = await api.retrySession({ sessionId: outcome.sessionId });
    if (response.ok) onRetry(response.value);
    else onError(response.error);
  };

  const wording = WORDING[result.status] ?? WORDING.Declined;
  const tone = canRetry ? 'retry' : wording.tone;
  return (
    <main className={`screen result ${tone}`}>
      <div role="status" className="result-status" data-status={result.status} data-feedback={result.feedback_codes.join(' ')}>
        {tone === 'approved' && <TickIcon />}
        <h1>{t(canRetry ? 'retryNeeded' : wording.title)}</h1>
        {!canRetry && <p className="lead">{t(wording.body)}</p>}
        {canRetry && outcome.feedback.length > 0 && (
          <ul className="feedback">
            {outcome.feedback.map((item) => (
              <li key={item.code} data-code={item.code}>
                {t(feedbackKey(item.code))}
              </li>
            ))}
          </ul>
        )}
        {canRetry &&
          challengeHintKeys(result.challenge_outcomes).map((key) => (
            <p key={key} className="hint" data-hint={key}>
              {t(key)}
            </p>
          ))}
        {canRetry && <p className="attempts">{t('attemptsLeft', { n: outcome.attemptsLeft })}</p>}
        {!canRetry && (
          <>
            <p className="reference">
              <span className="reference-label">{t('referenceLabel')}</span>
              <strong className="reference-number" data-reference={referenceNumber(outcome.sessionId)} dir="ltr">
                {referenceNumber(outcome.sessionId)}
              </strong>
            </p>
            <p className="next-step">{t(wording.next)}</p>
          </>
        )}
      </div>
      <div className="actions">
        {canRetry && (
          <button type="button" className="primary huge" onClick={() => void retry()} autoFocus>
            {t('tryAgain')}
          </button>
        )}
        <button type="button" className={canRetry ? 'secondary' : 'primary'} onClick={() => void finish()} autoFocus={!canRetry}>
          {t('done')}
        </button>
      </div>
      <IdleNotice t={t} secondsLeft={secondsLeft} always />
    </main>
  );
}
