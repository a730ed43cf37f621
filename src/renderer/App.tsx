// The kiosk's screens as one small state machine: attract -> consent -> capture -> result (-> retry), and staff mode.
// Every screen but attract returns to attract when left alone; per-customer choices are cleared on the way.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CodedErrorShape } from '../shared/errors';
import type { KioskApi, KioskSettings, Language, SessionOutcome, SessionPlan } from '../shared/ipc-contract';
import { DIRECTION, translator } from './i18n';
import { AttractScreen } from './screens/Attract';
import { CodeEntryScreen } from './screens/CodeEntry';
import { ConsentScreen, DeclinedScreen } from './screens/Consent';
import { CaptureScreen } from './screens/Capture';
import { ResultScreen } from './screens/Result';
import { StaffScreen } from './screens/Staff';

export type Screen =
  | { name: 'attract' }
  | { name: 'code' }
  | { name: 'consent'; plan: SessionPlan }
  | { name: 'declined' }
  | { name: 'capture'; plan: SessionPlan }
  | { name: 'result'; outcome: SessionOutcome }
  | { name: 'staff' };

const query = new URLSearchParams(location.search);
/** `?privacy=blur` blurs the camera preview (README screenshots must not show a real person's face). */
const PRIVACY_BLUR = query.get('privacy') === 'blur';
/** `?idleS=N` shortens every idle timeout to N seconds (the e2e suite; it can only make the kiosk reset sooner). */
const IDLE_OVERRIDE_S = Number(query.get('idleS')) > 0 ? Number(query.get('idleS')) : null;
/** While the service is unreachable, the banner checks it again this often and clears itself once it answers. */
const RECONNECT_CHECK_MS = 3000;

export function App({ api }: { api: KioskApi }) {
  const [screen, setScreen] = useState<Screen>({ name: 'attract' });
  const [settings, setSettings] = useState<KioskSettings | null>(null);
  const [language, setLanguage] = useState<Language>('en');
  const [largeText, setLargeText] = useState(false);
  const [highContrast, setHighContrast] = useState(false);
  const [fillLight, setFillLight] = useState(false);
  const [error, setError] = useState<CodedErrorShape | null>(null);
  const [customer, setCustomer] = useState(0);
  /** A branch session taken offline: the person is told the result reaches the bank later. */
  const [offlineBranch, setOfflineBranch] = useState(false);
  const t = useMemo(() => translator(language), [language]);
  const settingsRef = useRef<KioskSettings | null>(null);
  /** The person in front chose a language: settings arriving later (first load, reconnect) must not undo it. */
  const languageChosenRef = useRef(false);

  const loadSettings = useCallback(async () => {
    const response = await api.getConfig();
    if (response.ok) {
      settingsRef.current = response.value;
      setSettings(response.value);
      if (!languageChosenRef.current) setLanguage(response.value.language);
      setError((current) => (current?.code === 'NETWORK_ERROR' ? null : current));
    } else setError(response.error);
  }, [api]);

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  // The connection banner goes away by itself once the service answers again.
  useEffect(() => {
    if (error?.code !== 'NETWORK_ERROR') return;
    const timer = window.setInterval(() => void loadSettings(), RECONNECT_CHECK_MS);
    return () => window.clearInterval(timer);
  }, [error, loadSettings]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = DIRECTION[language];
    document.title = t('appTitle');
  }, [language, t]);

  /** Back to attract for the next person: their language, display options, fill light and any error are cleared. */
  const backToAttract = useCallback(() => {
    setScreen({ name: 'attract' });
    setError(null);
    setOfflineBranch(false);
    setLargeText(false);
    setHighContrast(false);
    setFillLight(false);
    setCustomer((n) => n + 1);
    languageChosenRef.current = false;
    setLanguage(settingsRef.current?.language ?? 'en');
  }, []);

  const chooseLanguage = useCallback((next: Language) => {
    languageChosenRef.current = true;
    setLanguage(next);
  }, []);

  const start = useCallback(async () => {
    setError(null);
    // The camera and result screens need the kiosk's settings: a tap that beats their first answer waits for it.
    if (!settingsRef.current) await loadSettings();
    if (!settingsRef.current) return;
    // Test hooks, honoured only by a host started with --test-seed (the service refuses them otherwise).
    const testSeed = query.get('testSeed') ?? undefined;
    const config = query.get('config');
    let overrides: Record<string, unknown> | undefined;
    try {
      overrides = config ? (JSON.parse(config) as Record<string, unknown>) : undefined;
    } catch {
      overrides = undefined;
    }
    const response = await api.startSession({ ...(testSeed ? { testSeed } : {}), ...(overrides ? { config: overrides } : {}) });
    if (response.ok) setScreen({ name: 'consent', plan: response.value });
    else setError(response.error);
  }, [api, loadSettings]);

  const classes = [
    'app',
    largeText ? 'large-text' : '',
    highContrast ? 'high-contrast' : '',
    PRIVACY_BLUR ? 'privacy-blur' : '',
    fillLight && screen.name === 'capture' ? 'fill-light' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div className={classes} data-screen={screen.name} data-customer={customer}>
      {error && (
        <p className="error-banner" role="alert" data-code={error.code}>
          {error.code === 'NETWORK_ERROR' ? t('connectionLost') : t('error')}
        </p>
      )}
      {offlineBranch && screen.name !== 'attract' && (
        <p className="notice-banner" role="status">
          {t('branchOffline')}
        </p>
      )}
      {screen.name === 'code' && (
        <CodeEntryScreen
          t={t}
          api={api}
          cameraDeviceId={settings?.cameraDeviceId ?? null}
          idleS={IDLE_OVERRIDE_S}
          onTaken={(plan, offline) => {
            setOfflineBranch(offline);
            setScreen({ name: 'consent', plan });
          }}
          onCancel={backToAttract}
          onError={setError}
        />
      )}
      {screen.name === 'attract' && (
        <AttractScreen
          t={t}
          settings={settings}
          language={language}
          onLanguage={chooseLanguage}
          largeText={largeText}
          onLargeText={setLargeText}
          highContrast={highContrast}
          onHighContrast={setHighContrast}
          idleS={IDLE_OVERRIDE_S}
          onIdle={backToAttract}
          onStart={() => void start()}
          onCode={() => setScreen({ name: 'code' })}
          onStaff={() => setScreen({ name: 'staff' })}
        />
      )}
      {screen.name === 'consent' && (
        <ConsentScreen
          t={t}
          api={api}
          plan={screen.plan}
          idleS={IDLE_OVERRIDE_S}
          onAgreed={(plan) => setScreen({ name: 'capture', plan })}
          onDeclined={() => setScreen({ name: 'declined' })}
          onIdle={() => {
            void api.abandonSession({ sessionId: screen.plan.sessionId });
            backToAttract();
          }}
          onError={setError}
        />
      )}
      {screen.name === 'declined' && <DeclinedScreen t={t} idleS={IDLE_OVERRIDE_S} onBack={backToAttract} />}
      {screen.name === 'capture' && settings && (
        <CaptureScreen
          key={`${screen.plan.sessionId}:${screen.plan.attempt}`}
          t={t}
          api={api}
          plan={screen.plan}
          language={language}
          cameraDeviceId={settings.cameraDeviceId}
          idleS={IDLE_OVERRIDE_S}
          onFillLight={setFillLight}
          onOutcome={(outcome) => {
            setFillLight(false);
            setScreen({ name: 'result', outcome });
          }}
          onCancel={backToAttract}
          onError={setError}
        />
      )}
      {screen.name === 'result' && settings && (
        <ResultScreen
          t={t}
          api={api}
          outcome={screen.outcome}
          timeoutS={IDLE_OVERRIDE_S ?? settings.resultTimeoutS}
          onRetry={(plan) => setScreen({ name: 'capture', plan })}
          onDone={backToAttract}
          onError={setError}
        />
      )}
      {screen.name === 'staff' && (
        <StaffScreen
          t={t}
          api={api}
          idleS={IDLE_OVERRIDE_S}
          onClose={() => {
            void loadSettings();
            backToAttract();
          }}
          onSettings={(next) => {
            settingsRef.current = next;
            setSettings(next);
            setLanguage(next.language);
          }}
          onPilotStart={() => void start()}
        />
      )}
    </div>
  );
}
