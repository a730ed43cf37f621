// Staff mode behind the PIN: replace the default PIN, configure the kiosk, see the queue and recent decisions.
import { useEffect, useState, type FormEvent } from 'react';
import { CHALLENGES, LIVENESS_MODES, type Challenge, type LivenessMode } from '../../shared/catalogue';
import {
  LANGUAGES,
  type DecisionSummary,
  type KioskApi,
  type KioskSettings,
  type Language,
  type QueueStatus,
} from '../../shared/ipc-contract';
import { LANGUAGE_NAMES, challengeKey, type StringKey, type Translate } from '../i18n';
import { PilotCapture } from './PilotCapture';

interface Props {
  t: Translate;
  api: KioskApi;
  onClose(): void;
  onSettings(settings: KioskSettings): void;
  /** Pilot capture armed: start the recorded session. */
  onPilotStart(): void;
}

export function StaffScreen({ t, api, onClose, onSettings, onPilotStart }: Props) {
  const [token, setToken] = useState<string | null>(null);
  const [mustChangePin, setMustChangePin] = useState(false);

  const lock = async () => {
    if (token) await api.lockStaff({ token });
    onClose();
  };

  return (
    <main className="screen staff">
      <h1>{t('staffHeading')}</h1>
      {!token && (
        <UnlockForm
          t={t}
          api={api}
          onUnlocked={(value, mustChange) => {
            setToken(value);
            setMustChangePin(mustChange);
          }}
          onCancel={onClose}
        />
      )}
      {token && mustChangePin && <ChangePin t={t} api={api} token={token} mandatory onChanged={() => setMustChangePin(false)} />}
      {token && !mustChangePin && <StaffPanel t={t} api={api} token={token} onSettings={onSettings} />}
      {token && !mustChangePin && <PilotCapture t={t} api={api} token={token} onStart={onPilotStart} />}
      {token && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => void lock()}>
            {t('lock')}
          </button>
        </div>
      )}
    </main>
  );
}

function UnlockForm({ t, api, onUnlocked, onCancel }: { t: Translate; api: KioskApi; onUnlocked(token: string, mustChange: boolean): void; onCancel(): void }) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await api.unlockStaff({ pin });
    setPin('');
    if (response.ok) onUnlocked(response.value.token, response.value.mustChangePin);
    else setMessage(response.error.code === 'UNAUTHORIZED' ? t('wrongPin') : response.error.message);
  };
  return (
    <form className="staff-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor="staff-pin">{t('pin')}</label>
      <input id="staff-pin" type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} autoFocus />
      {message && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={pin.length === 0}>
          {t('unlock')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('close')}
        </button>
      </div>
    </form>
  );
}

function ChangePin({ t, api, token, mandatory, onChanged }: { t: Translate; api: KioskApi; token: string; mandatory?: boolean; onChanged(): void }) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await api.setStaffPin({ token, newPin: pin });
    setPin('');
    if (response.ok) {
      setMessage({ text: t('pinChanged'), error: false });
      onChanged();
    } else setMessage({ text: response.error.message, error: true });
  };
  return (
    <form className="staff-form" onSubmit={(event) => void submit(event)}>
      {mandatory && <p className="notice">{t('mustChangePin')}</p>}
      <label htmlFor="new-pin">{t('newPin')}</label>
      <input id="new-pin" type="password" inputMode="numeric" autoComplete="new-password" value={pin} onChange={(e) => setPin(e.target.value)} />
      {message && (
        <p className={message.error ? 'form-error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <button type="submit" className="primary" disabled={pin.length === 0}>
        {t('changePin')}
      </button>
    </form>
  );
}

function StaffPanel({ t, api, token, onSettings }: { t: Translate; api: KioskApi; token: string; onSettings(settings: KioskSettings): void }) {
  const [draft, setDraft] = useState<KioskSettings | null>(null);
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const [recent, setRecent] = useState<DecisionSummary[]>([]);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    void api.getConfig().then((r) => r.ok && setDraft(r.value));
    void api.queueStatus({ token }).then((r) => r.ok && setQueue(r.value));
    void api.recentDecisions({ token, limit: 10 }).then((r) => r.ok && setRecent(r.value));
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setCameras(devices.filter((d) => d.kind === 'videoinput')))
      .catch(() => setCameras([]));
  }, [api, token]);

  if (!draft) return null;
  const liveness = draft.liveness;
  const setLiveness = (patch: Partial<KioskSettings['liveness']>) => setDraft({ ...draft, liveness: { ...liveness, ...patch } });
  const toggleChallenge = (challenge: Challenge, on: boolean) => {
    const next = on ? CHALLENGES.filter((c) => c === challenge || liveness.liveness_challenges.includes(c)) : liveness.liveness_challenges.filter((c) => c !== challenge);
    if (next.length > 0) setLiveness({ liveness_challenges: next });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const response = await api.setConfig({
      token,
      patch: {
        liveness: {
          liveness_mode: liveness.liveness_mode,
          liveness_threshold: liveness.liveness_threshold,
          liveness_challenges: liveness.liveness_challenges,
          face_liveness_max_attempts: liveness.face_liveness_max_attempts,
          no_flash: liveness.no_flash,
        },
        language: draft.language,
        cameraDeviceId: draft.cameraDeviceId,
      },
    });
    if (response.ok) {
      setDraft(response.value);
      onSettings(response.value);
      setMessage({ text: t('saved'), error: false });
    } else setMessage({ text: response.error.message, error: true });
  };

  return (
    <div className="staff-panel">
      <form className="staff-form settings" onSubmit={(event) => void save(event)}>
        <label htmlFor="mode">{t('mode')}</label>
        <select id="mode" value={liveness.liveness_mode} onChange={(e) => setLiveness({ liveness_mode: e.target.value as LivenessMode })}>
          {LIVENESS_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {t(`mode_${mode}` as StringKey)}
            </option>
          ))}
        </select>
        <label htmlFor="threshold">{t('threshold')}</label>
        <input
          id="threshold"
          type="number"
          min={0}
          max={100}
          step={1}
          value={liveness.liveness_threshold}
          onChange={(e) => setLiveness({ liveness_threshold: Math.round(Number(e.target.value)) })}
        />
        <fieldset>
          <legend>{t('challenges')}</legend>
          {CHALLENGES.map((challenge) => (
            <label key={challenge} className="check">
              <input type="checkbox" checked={liveness.liveness_challenges.includes(challenge)} onChange={(e) => toggleChallenge(challenge, e.target.checked)} />
              {t(challengeKey(challenge))}
            </label>
          ))}
        </fieldset>
        <label htmlFor="attempts">{t('attempts')}</label>
        <select id="attempts" value={liveness.face_liveness_max_attempts} onChange={(e) => setLiveness({ face_liveness_max_attempts: Number(e.target.value) })}>
          {[1, 2, 3].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={liveness.no_flash} onChange={(e) => setLiveness({ no_flash: e.target.checked })} />
          {t('noFlash')}
        </label>
        <label htmlFor="language">{t('language')}</label>
        <select id="language" value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Language })}>
          {LANGUAGES.map((code) => (
            <option key={code} value={code} lang={code}>
              {LANGUAGE_NAMES[code]}
            </option>
          ))}
        </select>
        <label htmlFor="camera">{t('camera')}</label>
        <select id="camera" value={draft.cameraDeviceId ?? ''} onChange={(e) => setDraft({ ...draft, cameraDeviceId: e.target.value || null })}>
          <option value="">{t('systemCamera')}</option>
          {cameras.map((camera, index) => (
            <option key={camera.deviceId || index} value={camera.deviceId}>
              {camera.label || `${t('camera')} ${index + 1}`}
            </option>
          ))}
        </select>
        {message && (
          <p className={message.error ? 'form-error' : 'notice'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <button type="submit" className="primary">
          {t('save')}
        </button>
      </form>
      <section className="staff-info" aria-labelledby="queue-heading">
        <h2 id="queue-heading">{t('queue')}</h2>
        {queue && (
          <dl className="queue" data-total={queue.total}>
            {Object.entries(queue.counts).map(([state, count]) => (
              <div key={state}>
                <dt>{state}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
        )}
        <h2>{t('recent')}</h2>
        {recent.length === 0 ? (
          <p>{t('noDecisions')}</p>
        ) : (
          <table className="recent">
            <thead>
              <tr>
                <th scope="col">{t('timeCol')}</th>
                <th scope="col">{t('modeCol')}</th>
                <th scope="col">{t('scoreCol')}</th>
                <th scope="col">{t('statusCol')}</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((decision) => (
                <tr key={decision.session_id}>
                  <td>{new Date(decision.created_at).toLocaleString()}</td>
                  <td>{decision.liveness_mode}</td>
                  <td>{Math.round(decision.liveness_score)}</td>
                  <td>{decision.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ChangePin t={t} api={api} token={token} onChanged={() => undefined} />
      </section>
    </div>
  );
}
