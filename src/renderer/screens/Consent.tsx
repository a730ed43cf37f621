// Consent: what is captured, why, what stays on this kiosk and for how long, and where it is sent, generated from the
// running configuration (privacy.get). Nothing is captured before "I agree"; left alone, it returns to attract.
import { useEffect, useState } from 'react';
import type { CodedErrorShape } from '../../shared/errors';
import { CONSENT_VERSION, type KioskApi, type PrivacyFacts, type SessionPlan } from '../../shared/ipc-contract';
import { IDLE_TIMEOUT_S, useIdleTimeout } from '../idle';
import type { Translate } from '../i18n';
import { IdleNotice } from './IdleNotice';

interface Props {
  t: Translate;
  api: KioskApi;
  plan: SessionPlan;
  idleS: number | null;
  onAgreed(plan: SessionPlan): void;
  onDeclined(): void;
  onIdle(): void;
  onError(error: CodedErrorShape): void;
}

export function ConsentScreen({ t, api, plan, idleS, onAgreed, onDeclined, onIdle, onError }: Props) {
  const [busy, setBusy] = useState(false);
  const [facts, setFacts] = useState<PrivacyFacts | null>(null);
  const idle = useIdleTimeout(idleS ?? IDLE_TIMEOUT_S.consent, onIdle);

  useEffect(() => {
    void api.getPrivacyFacts().then((response) => (response.ok ? setFacts(response.value) : onError(response.error)));
  }, [api, onError]);

  const answer = async (accepted: boolean) => {
    setBusy(true);
    const response = await api.giveConsent({ sessionId: plan.sessionId, accepted, consentVersion: CONSENT_VERSION });
    setBusy(false);
    if (!response.ok) return onError(response.error);
    if (accepted) onAgreed({ ...plan, consented: true });
    else onDeclined();
  };
  const flashes = plan.flash !== null;
  return (
    <main className="screen consent">
      <h1>{t('consentHeading')}</h1>
      <ul className="consent-points">
        <li>{t('consentWhat')}</li>
        <li>{t('consentWhy')}</li>
        {facts && <li data-fact="kept">{t('consentKept', { days: facts.imageRetentionDays })}</li>}
        {facts && (
          <li data-fact="sent">
            {facts.syncServer ? t('consentSent', { server: facts.syncServer, days: facts.imageRetentionDays }) : t('consentLocalOnly')}
          </li>
        )}
        {flashes && <li className="flash-warning">{t('consentFlash')}</li>}
      </ul>
      <div className="actions">
        <button type="button" className="primary huge" disabled={busy || !facts} onClick={() => void answer(true)} autoFocus>
          {t('agree')}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void answer(false)}>
          {t('decline')}
        </button>
      </div>
      <IdleNotice t={t} secondsLeft={idle.secondsLeft} onStay={idle.reset} />
    </main>
  );
}

export function DeclinedScreen({ t, idleS, onBack }: { t: Translate; idleS: number | null; onBack(): void }) {
  const idle = useIdleTimeout(idleS ?? IDLE_TIMEOUT_S.declined, onBack);
  return (
    <main className="screen declined">
      <h1>{t('declinedHeading')}</h1>
      <p className="lead">{t('consentDeclinedBody')}</p>
      <button type="button" className="primary" onClick={onBack} autoFocus>
        {t('back')}
      </button>
      <IdleNotice t={t} secondsLeft={idle.secondsLeft} always />
    </main>
  );
}
