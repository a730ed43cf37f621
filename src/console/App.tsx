// The console shell: sign-in, the navigation by role, hash routes, language and text direction.
import { useCallback, useEffect, useMemo, useState, type ComponentType } from 'react';
import { api, ApiError, setCsrfToken, type User } from './api';
import { Ctx, isAdmin } from './context';
import { DIRECTION, errorKey, LANGUAGES, translator, type Language, type StringKey } from './i18n';
import { LanguageOptions } from '../web/controls';
import { Login } from './screens/Login';
import { Sessions } from './screens/Sessions';
import { SessionDetail } from './screens/SessionDetail';
import { ReviewQueue } from './screens/ReviewQueue';
import { Workflows } from './screens/Workflows';
import { Webhooks } from './screens/Webhooks';
import { Kiosks } from './screens/Kiosks';
import { AuditLog } from './screens/AuditLog';
import { ApiKeys } from './screens/ApiKeys';
import { Users } from './screens/Users';

const LANGUAGE_STORAGE = 'console.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_STORAGE);
  return (LANGUAGES as readonly string[]).includes(saved ?? '') ? (saved as Language) : 'en';
}

function useHashRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Each section's route, its menu entry and its screen (a session's own page is #/sessions/{id}). */
const NAV: Array<{ path: string; key: StringKey; screen: ComponentType; admin?: boolean }> = [
  { path: 'sessions', key: 'navSessions', screen: Sessions },
  { path: 'review', key: 'navReview', screen: ReviewQueue },
  { path: 'workflows', key: 'navWorkflows', screen: Workflows },
  { path: 'webhooks', key: 'navWebhooks', screen: Webhooks, admin: true },
  { path: 'kiosks', key: 'navKiosks', screen: Kiosks },
  { path: 'audit', key: 'navAudit', screen: AuditLog, admin: true },
  { path: 'keys', key: 'navKeys', screen: ApiKeys },
  { path: 'users', key: 'navUsers', screen: Users, admin: true },
];

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<StringKey | null>(null);
  const route = useHashRoute();
  const t = useMemo(() => translator(language), [language]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = DIRECTION[language];
    document.title = t('appTitle');
    localStorage.setItem(LANGUAGE_STORAGE, language);
  }, [language, t]);

  useEffect(() => {
    api<{ user: User | null; csrf_token: string | null }>('GET', 'me')
      .then((me) => {
        setCsrfToken(me.csrf_token ?? '');
        setUser(me.user);
      })
      .catch(() => setUser(null))
      .finally(() => setChecking(false));
  }, []);

  const fail = useCallback((err: unknown) => {
    const code = err instanceof ApiError ? err.code : 'other';
    if (code === 'UNAUTHORIZED') setUser(null);
    setError(errorKey(code));
  }, []);

  const signOut = async () => {
    await api('POST', 'logout').catch(() => undefined);
    setUser(null);
    window.location.hash = '';
  };

  const languagePicker = (
    <label className="language">
      {t('language')}{' '}
      <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
        <LanguageOptions />
      </select>
    </label>
  );

  if (checking)
    return (
      <main className="centered">
        <p>{t('loading')}</p>
      </main>
    );
  if (!user) {
    return (
      <>
        <header className="topbar">
          <span className="brand">{t('appTitle')}</span>
          {languagePicker}
        </header>
        <Login
          t={t}
          onSignedIn={(signedIn, csrf) => {
            setCsrfToken(csrf);
            setError(null);
            setUser(signedIn);
          }}
        />
      </>
    );
  }

  const [section = 'sessions', id] = route;
  const Screen = NAV.find((item) => item.path === section)?.screen ?? Sessions;

  return (
    <Ctx.Provider value={{ t, user, fail }}>
      <header className="topbar">
        <span className="brand">{t('appTitle')}</span>
        <span className="whoami">{t('signedInAs', { user: user.username, role: t(`role_${user.role}`) })}</span>
        {languagePicker}
        <button type="button" className="link-button" onClick={signOut}>
          {t('signOut')}
        </button>
      </header>
      <nav aria-label={t('mainNav')} className="sidenav">
        <ul>
          {NAV.filter((item) => !item.admin || isAdmin(user)).map((item) => (
            <li key={item.path}>
              <a href={`#/${item.path}`} aria-current={section === item.path ? 'page' : undefined}>
                {t(item.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {error && (
          <div role="alert" className="error">
            {t(error)}{' '}
            <button type="button" className="link-button" aria-label={t('cancel')} onClick={() => setError(null)}>
              ×
            </button>
          </div>
        )}
        {section === 'sessions' && id ? <SessionDetail id={id} /> : <Screen />}
      </main>
    </Ctx.Provider>
  );
}
