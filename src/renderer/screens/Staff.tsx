// Staff mode behind the PIN: replace the default PIN, the central service's sync status, the queue in plain words,
// recent sessions with their reference numbers, settings grouped by what the mode uses, and the staff action audit.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { CHALLENGES, LIVENESS_MODES, type Challenge, type LivenessMode } from '../../shared/catalogue';
import type { CodedErrorShape } from '../../shared/errors';
import type {
  DecisionSummary,
  KioskApi,
  KioskSettings,
  Language,
  QueueStatus,
  StaffAuditEntry,
  SyncStatus,
} from '../../shared/ipc-contract';
import { referenceNumber } from '../../shared/reference';
import { IDLE_TIMEOUT_S, useIdleTimeout } from '../idle';
import { QUEUE_STATES, auditKey, challengeKey, queueStateKey, statusKey, syncProblemKey, type StringKey, type Translate } from '../i18n';
import { ExitAction } from './ExitAction';
import { IdleNotice } from './IdleNotice';
import { PilotCapture } from './PilotCapture';
import { CameraPin } from '../camera/CameraPin';
import { CheckboxFieldset, LanguageOptions, OptionList } from '../../web/controls';

interface Props {
  t: Translate;
  api: KioskApi;
  idleS: number | null;
  onClose(): void;
  onSettings(settings: KioskSettings): void;
  /** Pilot capture armed: start the recorded session. */
  onPilotStart(): void;
}

/** Setting names in the audit, as the labels staff see on this panel. */
const FIELD_LABELS: Record<string, StringKey> = {
  liveness_mode: 'mode',
  liveness_threshold: 'threshold',
  liveness_challenges: 'challenges',
  face_liveness_max_attempts: 'attempts',
  no_flash: 'noFlash',
  language: 'language',
  cameraDeviceId: 'camera',
};

/** A staff-facing sentence for a refused request (never the service's developer text). */
/** A staff-facing sentence for a service error: never the service's own (English, developer) message. */
export function staffMessage(t: Translate, error: CodedErrorShape): string {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return t('staffExpired');
    case 'RATE_LIMITED':
      return t('pinLocked');
    case 'NETWORK_ERROR':
      return t('connectionLost');
    default:
      return t('error');
  }
}

export function StaffScreen({ t, api, idleS, onClose, onSettings, onPilotStart }: Props) {
  const [token, setToken] = useState<string | null>(null);
  const [mustChangePin, setMustChangePin] = useState(false);
  const [expired, setExpired] = useState(false);

  const lock = async () => {
    if (token) await api.lockStaff({ token });
    onClose();
  };
  // Left open and unused, staff mode locks itself and the kiosk returns to attract.
  const idle = useIdleTimeout(idleS ?? IDLE_TIMEOUT_S.staff, () => void lock());
  const onExpired = () => {
    setToken(null);
    setExpired(true);
  };

  return (
    <main className="screen staff">
      <h1>{t('staffHeading')}</h1>
      {!token && (
        <UnlockForm
          t={t}
          api={api}
          notice={expired ? t('staffExpired') : null}
          onUnlocked={(value, mustChange) => {
            setExpired(false);
            setToken(value);
            setMustChangePin(mustChange);
          }}
          onCancel={onClose}
        />
      )}
      {token && mustChangePin && (
        <ChangePin t={t} api={api} token={token} mandatory onChanged={() => setMustChangePin(false)} onExpired={onExpired} />
      )}
      {token && !mustChangePin && <StaffPanel t={t} api={api} token={token} onSettings={onSettings} onExpired={onExpired} />}
      {token && !mustChangePin && <PilotCapture t={t} api={api} token={token} onStart={onPilotStart} />}
      <IdleNotice t={t} secondsLeft={idle.secondsLeft} onStay={idle.reset} />
      {token && <ExitAction label={t('lock')} onExit={() => void lock()} />}
    </main>
  );
}

function UnlockForm({
  t,
  api,
  notice,
  onUnlocked,
  onCancel,
}: {
  t: Translate;
  api: KioskApi;
  notice: string | null;
  onUnlocked(token: string, mustChange: boolean): void;
  onCancel(): void;
}) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<string | null>(notice);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await api.unlockStaff({ pin });
    setPin('');
    if (response.ok) onUnlocked(response.value.token, response.value.mustChangePin);
    else
      setMessage(
        response.error.code === 'UNAUTHORIZED' || response.error.code === 'INVALID_PAYLOAD'
          ? t('wrongPin')
          : staffMessage(t, response.error),
      );
  };
  return (
    <form className="staff-form" onSubmit={(event) => void submit(event)}>
      <PinField id="staff-pin" label={t('pin')} autoComplete="off" value={pin} onValue={setPin} autoFocus />
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

/** A PIN typed on the kiosk's keypad: masked, digits. */
function PinField({
  id,
  label,
  autoComplete,
  value,
  onValue,
  autoFocus,
}: {
  id: string;
  label: string;
  autoComplete: 'off' | 'new-password';
  value: string;
  onValue(value: string): void;
  autoFocus?: boolean;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        inputMode="numeric"
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        autoFocus={autoFocus}
      />
    </>
  );
}

/** What a staff form's last submit came to: a notice, or an error read out at once. */
function FormMessage({ message }: { message: { text: string; error: boolean } | null }) {
  if (!message) return null;
  return (
    <p className={message.error ? 'form-error' : 'notice'} role={message.error ? 'alert' : 'status'}>
      {message.text}
    </p>
  );
}

function ChangePin({
  t,
  api,
  token,
  mandatory,
  onChanged,
  onExpired,
}: {
  t: Translate;
  api: KioskApi;
  token: string;
  mandatory?: boolean;
  onChanged(): void;
  onExpired(): void;
}) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // The format is checked here too, so the person reads a sentence rather than a schema error.
    if (!/^\d{6,12}$/.test(pin)) {
      setMessage({ text: t('pinFormat'), error: true });
      return;
    }
    const response = await api.setStaffPin({ token, newPin: pin });
    setPin('');
    if (response.ok) {
      setMessage({ text: t('pinChanged'), error: false });
      onChanged();
    } else if (response.error.code === 'UNAUTHORIZED') onExpired();
    else if (response.error.code === 'INVALID_PAYLOAD') setMessage({ text: t('pinFormat'), error: true });
    else if (response.error.code === 'INVALID_ARGUMENT') setMessage({ text: t('pinSame'), error: true });
    else setMessage({ text: staffMessage(t, response.error), error: true });
  };
  return (
    <form className="staff-form" onSubmit={(event) => void submit(event)}>
      {mandatory && <p className="notice">{t('mustChangePin')}</p>}
      <PinField id="new-pin" label={t('newPin')} autoComplete="new-password" value={pin} onValue={setPin} />
      <FormMessage message={message} />
      <button type="submit" className="primary" disabled={pin.length === 0}>
        {t('changePin')}
      </button>
    </form>
  );
}

function StaffPanel({
  t,
  api,
  token,
  onSettings,
  onExpired,
}: {
  t: Translate;
  api: KioskApi;
  token: string;
  onSettings(settings: KioskSettings): void;
  onExpired(): void;
}) {
  const [draft, setDraft] = useState<KioskSettings | null>(null);
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [recent, setRecent] = useState<DecisionSummary[]>([]);
  const [audit, setAudit] = useState<StaffAuditEntry[]>([]);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const refresh = () => {
    const guard =
      <T,>(apply: (value: T) => void) =>
      (r: { ok: true; value: T } | { ok: false; error: CodedErrorShape }) => {
        if (r.ok) apply(r.value);
        else if (r.error.code === 'UNAUTHORIZED') onExpired();
      };
    void api.getConfig().then(guard(setDraft));
    void api.queueStatus({ token }).then(guard(setQueue));
    void api.syncStatus({ token }).then(guard(setSync));
    void api.recentDecisions({ token, limit: 10 }).then(guard(setRecent));
    void api.staffAudit({ token, limit: 10 }).then(guard(setAudit));
  };

  // The latest refresh (it reads only api and token), without re-running the effect on every render.
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    refreshRef.current();
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setCameras(devices.filter((d) => d.kind === 'videoinput')))
      .catch(() => setCameras([]));
  }, [api, token]);

  if (!draft) return null;
  const liveness = draft.liveness;
  const mode = liveness.liveness_mode;
  const usesChallenges = mode === 'active' || mode === 'action_flash';
  const usesFlash = mode === 'flash' || mode === 'action_flash';
  const setLiveness = (patch: Partial<KioskSettings['liveness']>) => setDraft({ ...draft, liveness: { ...liveness, ...patch } });
  const toggleChallenge = (challenge: Challenge, on: boolean) => {
    const next = on
      ? CHALLENGES.filter((c) => c === challenge || liveness.liveness_challenges.includes(c))
      : liveness.liveness_challenges.filter((c) => c !== challenge);
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
      refresh();
    } else if (response.error.code === 'UNAUTHORIZED') onExpired();
    else setMessage({ text: staffMessage(t, response.error), error: true });
  };

  return (
    <div className="staff-panel">
      <form className="staff-form settings" onSubmit={(event) => void save(event)}>
        <fieldset className="group">
          <legend>{t('generalSettings')}</legend>
          <label htmlFor="mode">{t('mode')}</label>
          <select id="mode" value={mode} onChange={(e) => setLiveness({ liveness_mode: e.target.value as LivenessMode })}>
            <OptionList values={LIVENESS_MODES} label={(m) => t(`mode_${m}` as StringKey)} />
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
          <label htmlFor="attempts">{t('attempts')}</label>
          <select
            id="attempts"
            value={liveness.face_liveness_max_attempts}
            onChange={(e) => setLiveness({ face_liveness_max_attempts: Number(e.target.value) })}
          >
            <OptionList values={[1, 2, 3]} label={(n) => n} />
          </select>
          <label htmlFor="language">{t('language')}</label>
          <select id="language" value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Language })}>
            <LanguageOptions />
          </select>
          <label htmlFor="camera">{t('camera')}</label>
          <select
            id="camera"
            value={draft.cameraDeviceId ?? ''}
            onChange={(e) => setDraft({ ...draft, cameraDeviceId: e.target.value || null })}
          >
            <option value="">{t('systemCamera')}</option>
            {cameras.map((camera, index) => (
              <option key={camera.deviceId || index} value={camera.deviceId}>
                {camera.label || `${t('camera')} ${index + 1}`}
              </option>
            ))}
          </select>
        </fieldset>
        {(usesChallenges || usesFlash) && (
          <fieldset className="group" data-mode-settings={mode}>
            <legend>{t('modeSettings')}</legend>
            {usesChallenges && (
              <CheckboxFieldset
                legend={t('challenges')}
                labelClassName="check"
                options={CHALLENGES}
                checked={liveness.liveness_challenges}
                onToggle={toggleChallenge}
                optionLabel={(challenge) => t(challengeKey(challenge))}
              />
            )}
            {usesFlash && (
              <label className="check">
                <input type="checkbox" checked={liveness.no_flash} onChange={(e) => setLiveness({ no_flash: e.target.checked })} />
                {t('noFlash')}
              </label>
            )}
          </fieldset>
        )}
        <FormMessage message={message} />
        <button type="submit" className="primary">
          {t('save')}
        </button>
      </form>
      <CameraPin t={t} api={api} token={token} chosenDeviceId={draft.cameraDeviceId} onExpired={onExpired} />
      <section className="staff-info" aria-labelledby="sync-heading">
        <h2 id="sync-heading">{t('syncHeading')}</h2>
        {sync && <SyncSummary t={t} sync={sync} />}
        <h2 id="queue-heading">{t('queue')}</h2>
        {queue && (
          <dl className="queue" data-total={queue.total}>
            {QUEUE_STATES.map((state) => (
              <div key={state} data-state={state}>
                <dt>{t(queueStateKey(state))}</dt>
                <dd>{queue.counts[state] ?? 0}</dd>
              </div>
            ))}
          </dl>
        )}
        <Listing heading={t('recent')} empty={recent.length === 0} emptyText={t('noDecisions')}>
          <table className="recent">
            <thead>
              <tr>
                <th scope="col">{t('refCol')}</th>
                <th scope="col">{t('timeCol')}</th>
                <th scope="col">{t('modeCol')}</th>
                <th scope="col">{t('scoreCol')}</th>
                <th scope="col">{t('statusCol')}</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((decision) => (
                <tr key={decision.session_id}>
                  <td dir="ltr" className="reference-cell">
                    {referenceNumber(decision.session_id)}
                  </td>
                  <td>{new Date(decision.created_at).toLocaleString()}</td>
                  <td>{t(`mode_${decision.liveness_mode}` as StringKey)}</td>
                  <td>{Math.round(decision.liveness_score)}</td>
                  <td>{t(statusKey(decision.status))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Listing>
        <Listing heading={t('auditHeading')} empty={audit.length === 0} emptyText={t('noAudit')}>
          <ul className="audit">
            {audit.map((entry, index) => (
              <li key={`${entry.at}-${index}`} data-action={entry.action}>
                <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time> {t(auditKey(entry.action))}
                {entry.fields && entry.fields.some((field) => field in FIELD_LABELS) && (
                  <span className="fields">
                    {' '}
                    ({entry.fields.flatMap((field) => (field in FIELD_LABELS ? [t(FIELD_LABELS[field])] : [])).join(', ')})
                  </span>
                )}
              </li>
            ))}
          </ul>
        </Listing>
        <ChangePin t={t} api={api} token={token} onChanged={refresh} onExpired={onExpired} />
      </section>
    </div>
  );
}

/** A heading over a list, or the sentence that says the list is empty. */
function Listing({ heading, empty, emptyText, children }: { heading: string; empty: boolean; emptyText: string; children: ReactNode }) {
  return (
    <>
      <h2>{heading}</h2>
      {empty ? <p>{emptyText}</p> : children}
    </>
  );
}

function SyncSummary({ t, sync }: { t: Translate; sync: SyncStatus }) {
  if (!sync.server) return <p data-sync="none">{t('syncNotConfigured')}</p>;
  return (
    <dl className="sync" data-sync={sync.lastProblem ?? 'ok'}>
      <dt>{t('syncServer')}</dt>
      <dd dir="ltr">{sync.server}</dd>
      <dt>{t('syncLastSuccess')}</dt>
      <dd>{sync.lastSuccessAt ? new Date(sync.lastSuccessAt).toLocaleString() : t('syncNever')}</dd>
      <dd className={sync.lastProblem ? 'form-error' : 'notice'}>{sync.lastProblem ? t(syncProblemKey(sync.lastProblem)) : t('syncOk')}</dd>
    </dl>
  );
}
