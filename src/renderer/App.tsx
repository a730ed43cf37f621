// The kiosk's screens as one small state machine: attract -> consent -> capture -> result (-> retry), and staff mode.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { KioskApi, KioskSettings, Language, SessionOutcome, SessionPlan } from '../shared/ipc-contract';
import { DIRECTION, translator } from './i18n';
import { AttractScreen } from './screens/Attract';
import { ConsentScreen, DeclinedScreen } from './screens/Consent';
import { CaptureScreen } from './screens/Capture';
import { ResultScreen } from './screens/Result';
import { StaffScreen } from './screens/Staff';

export type Screen =
  | { name: 'attract' }
  | { name: 'consent'; plan: SessionPlan }
  | { name: 'declined' }
  | { name: 'capture'; plan: SessionPlan }
  | { name: 'result'; outcome: SessionOutcome }
  | { name: 'staff' };

const query = new URLSearchParams(location.search);
/** `?privacy=blur` blurs the camera preview (README screenshots must not show a real person's face). */
const PRIVACY_BLUR = query.get('privacy') === 'blur';

export function App({ api }: { api: KioskApi }) {
  const [screen, setScreen] = useState<Screen>({ name: 'attract' });
  const [settings, setSettings] = useState<KioskSettings | null>(null);
  const [language, setLanguage] = useState<Language>('en');
  const [largeText, setLargeText] = useState(false);
  const [highContrast, setHighContrast] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const t = useMemo(() => translator(language), [language]);

  const loadSettings = useCallback(async () => {
    const response = await api.getConfig();
    if (response.ok) {
      setSettings(response.value);
      setLanguage(response.value.language);
    } else setError(response.error.message);
  }, [api]);

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = DIRECTION[language];
    document.title = t('appTitle');
  }, [language, t]);

  const backToAttract = useCallback(() => {
    setScreen({ name: 'attract' });
    setError(null);
    if (settings) setLanguage(settings.language);
  }, [settings]);

  const start = useCallback(async () => {
    setError(null);
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
    else setError(response.error.message);
  }, [api]);

  const classes = ['app', largeText ? 'large-text' : '', highContrast ? 'high-contrast' : '', PRIVACY_BLUR ? 'privacy-blur' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div className={classes} data-screen={screen.name}>
      {error && (
        <p className="error-banner" role="alert">
          {t('error', { message: error })}
        </p>
      )}
      {screen.name === 'attract' && (
        <AttractScreen
          t={t}
          language={language}
          onLanguage={setLanguage}
          largeText={largeText}
          onLargeText={setLargeText}
          highContrast={highContrast}
          onHighContrast={setHighContrast}
          onStart={() => void start()}
          onStaff={() => setScreen({ name: 'staff' })}
        />
      )}
      {screen.name === 'consent' && (
        <ConsentScreen
          t={t}
          api={api}
          plan={screen.plan}
          onAgreed={(plan) => setScreen({ name: 'capture', plan })}
          onDeclined={() => setScreen({ name: 'declined' })}
          onError={setError}
        />
      )}
      {screen.name === 'declined' && <DeclinedScreen t={t} onBack={backToAttract} />}
      {screen.name === 'capture' && settings && (
        <CaptureScreen
          key={`${screen.plan.sessionId}:${screen.plan.attempt}`}
          t={t}
          api={api}
          plan={screen.plan}
          language={language}
          cameraDeviceId={settings.cameraDeviceId}
          onOutcome={(outcome) => setScreen({ name: 'result', outcome })}
          onCancel={backToAttract}
          onError={setError}
        />
      )}
      {screen.name === 'result' && settings && (
        <ResultScreen
          t={t}
          api={api}
          outcome={screen.outcome}
          timeoutS={settings.resultTimeoutS}
          onRetry={(plan) => setScreen({ name: 'capture', plan })}
          onDone={backToAttract}
          onError={setError}
        />
      )}
      {screen.name === 'staff' && (
        <StaffScreen
          t={t}
          api={api}
          onClose={() => {
            void loadSettings();
            backToAttract();
          }}
          onSettings={(next) => {
            setSettings(next);
            setLanguage(next.language);
          }}
          onPilotStart={() => void start()}
        />
      )}
    </div>
  );
}
