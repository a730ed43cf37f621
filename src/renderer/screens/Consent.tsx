// Consent: what is captured, why and for how long; nothing is captured before "I agree".
import { useState } from 'react';
import { CONSENT_VERSION, type KioskApi, type SessionPlan } from '../../shared/ipc-contract';
import type { Translate } from '../i18n';

interface Props {
  t: Translate;
  api: KioskApi;
  plan: SessionPlan;
  onAgreed(plan: SessionPlan): void;
  onDeclined(): void;
  onError(message: string): void;
}

export function ConsentScreen({ t, api, plan, onAgreed, onDeclined, onError }: Props) {
  const [busy, setBusy] = useState(false);
  const answer = async (accepted: boolean) => {
    setBusy(true);
    const response = await api.giveConsent({ sessionId: plan.sessionId, accepted, consentVersion: CONSENT_VERSION });
    setBusy(false);
    if (!response.ok) return onError(response.error.message);
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
        <li>{t('consentKept')}</li>
        {flashes && <li className="flash-warning">{t('consentFlash')}</li>}
      </ul>
      <div className="actions">
        <button type="button" className="primary huge" disabled={busy} onClick={() => void answer(true)} autoFocus>
          {t('agree')}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void answer(false)}>
          {t('decline')}
        </button>
      </div>
    </main>
  );
}

export function DeclinedScreen({ t, onBack }: { t: Translate; onBack(): void }) {
  return (
    <main className="screen declined">
      <h1>{t('declinedHeading')}</h1>
      <p className="lead">{t('consentDeclinedBody')}</p>
      <button type="button" className="primary" onClick={onBack} autoFocus>
        {t('back')}
      </button>
    </main>
  );
}
