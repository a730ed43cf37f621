// Staff mode: pilot capture. Staff set what will be in front of the camera and a subject code, confirm the filmed
// person's consent, and the next kiosk session is recorded whole into an encrypted capture pack (docs/capture-pack.md).
import { useEffect, useState, type FormEvent } from 'react';
import { CAPTURE_LABELS, SUBJECT_REF_PATTERN, type CaptureLabel } from '../../shared/capture';
import type { KioskApi, PilotStatus } from '../../shared/ipc-contract';
import type { CodedErrorShape } from '../../shared/errors';
import type { StringKey, Translate } from '../i18n';
import { staffMessage } from './Staff';

interface Props {
  t: Translate;
  api: KioskApi;
  token: string;
  /** Begin the recorded session (the usual consent and capture screens follow). */
  onStart(): void;
}

/** The sentence staff see for a refused pilot request; the service's own message is for logs. */
export function pilotMessage(t: Translate, error: CodedErrorShape): string {
  if (error.code === 'INVALID_PAYLOAD' || error.code === 'INVALID_ARGUMENT') return t('pilotSubjectInvalid');
  if (error.code === 'FORBIDDEN') return t('pilotOffError');
  return staffMessage(t, error);
}

export function PilotCapture({ t, api, token, onStart }: Props) {
  const [status, setStatus] = useState<PilotStatus | null>(null);
  const [label, setLabel] = useState<CaptureLabel>('genuine');
  const [subject, setSubject] = useState('');
  const [consent, setConsent] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void api.pilotStatus({ token }).then((r) => (r.ok ? setStatus(r.value) : setMessage(pilotMessage(t, r.error))));
  }, [api, token, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!consent) return;
    const response = await api.armPilot({ token, label, subjectRef: subject, consentConfirmed: true });
    if (!response.ok) return setMessage(pilotMessage(t, response.error));
    setStatus(response.value);
    onStart();
  };

  if (!status)
    return message ? (
      <p className="form-error" role="alert">
        {message}
      </p>
    ) : null;
  return (
    <section className="staff-form pilot-capture" aria-labelledby="pilot-heading">
      <h2 id="pilot-heading">{t('pilotHeading')}</h2>
      {!status.enabled ? (
        <p className="notice">{t('pilotOff')}</p>
      ) : (
        <form onSubmit={(event) => void submit(event)}>
          <p>{t('pilotIntro')}</p>
          <fieldset>
            <legend>{t('pilotLabel')}</legend>
            {CAPTURE_LABELS.map((value) => (
              <label key={value} className="check">
                <input type="radio" name="pilot-label" value={value} checked={label === value} onChange={() => setLabel(value)} />
                {t(`pilotLabel_${value}` as StringKey)}
              </label>
            ))}
          </fieldset>
          <label htmlFor="pilot-subject">{t('pilotSubject')}</label>
          <input id="pilot-subject" type="text" autoComplete="off" value={subject} onChange={(e) => setSubject(e.target.value.trim())} />
          <label className="check">
            <input id="pilot-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
            {t('pilotConsent')}
          </label>
          {message && (
            <p className="form-error" role="alert">
              {message}
            </p>
          )}
          <button type="submit" className="primary" disabled={!consent || !SUBJECT_REF_PATTERN.test(subject)}>
            {t('pilotStart')}
          </button>
          <p className="notice" role="status">
            {t('pilotPacks', { n: status.packsWritten })}
            {status.lastPack ? ` ${t('pilotLast', { name: status.lastPack })}` : ''}
          </p>
        </form>
      )}
    </section>
  );
}
