// Result: Approved / Declined / In Review in a status region, retry guidance from feedback_codes, auto-return.
import { useEffect, useState } from 'react';
import type { KioskApi, SessionOutcome, SessionPlan } from '../../shared/ipc-contract';
import { challengeHintKeys, feedbackKey, type StringKey, type Translate } from '../i18n';

interface Props {
  t: Translate;
  api: KioskApi;
  outcome: SessionOutcome;
  timeoutS: number;
  onRetry(plan: SessionPlan): void;
  onDone(): void;
  onError(message: string): void;
}

const HEADINGS: Record<string, { title: StringKey; body: StringKey | null }> = {
  Approved: { title: 'approved', body: 'approvedBody' },
  Declined: { title: 'declined', body: 'declinedBody' },
  'In Review': { title: 'inReview', body: 'inReviewBody' },
  Abandoned: { title: 'abandoned', body: null },
};

export function ResultScreen({ t, api, outcome, timeoutS, onRetry, onDone, onError }: Props) {
  const [secondsLeft, setSecondsLeft] = useState(timeoutS);
  const { result, canRetry } = outcome;

  const finish = async () => {
    // Leaving with a retry still open ends the session (recorded as Abandoned by the service).
    if (canRetry) await api.abandonSession({ sessionId: outcome.sessionId });
    onDone();
  };

  useEffect(() => {
    if (secondsLeft <= 0) {
      void finish();
      return;
    }
    const timer = window.setTimeout(() => setSecondsLeft((s) => s - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [secondsLeft]);

  const retry = async () => {
    const response = await api.retrySession({ sessionId: outcome.sessionId });
    if (response.ok) onRetry(response.value);
    else onError(response.error.message);
  };

  const heading = canRetry ? { title: 'retryNeeded' as StringKey, body: null } : (HEADINGS[result.status] ?? { title: 'declined', body: 'declinedBody' });
  const tone = canRetry ? 'retry' : result.status === 'Approved' ? 'approved' : result.status === 'In Review' ? 'review' : 'declined';
  return (
    <main className={`screen result ${tone}`}>
      <div role="status" className="result-status" data-status={result.status} data-feedback={result.feedback_codes.join(' ')}>
        <h1>{t(heading.title)}</h1>
        {heading.body && <p className="lead">{t(heading.body)}</p>}
        {outcome.feedback.length > 0 && (
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
      <p className="countdown">{t('returningIn', { n: secondsLeft })}</p>
    </main>
  );
}
