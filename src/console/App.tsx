// The console shell: sign-in, the navigation by role, hash routes, language and text direction.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, setCsrfToken, type User } from './api';
import { Ctx, isAdmin } from './context';
import { DIRECTION, errorKey, LANGUAGE_NAMES, LANGUAGES, translator, type Language, type StringKey } from './i18n';
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

const NAV: Array<{ path: string; key: StringKey; admin?: boolean }> = [
  { path: 'sessions', key: 'navSessions' },
  { path: 'review', key: 'navReview' },
  { path: 'workflows', key: 'navWorkflows' },
  { path: 'webhooks', key: 'navWebhooks', admin: true },
  { path: 'kiosks', key: 'navKiosks' },
  { path: 'audit', key: 'navAudit', admin: true },
  { path: 'keys', key: 'navKeys' },
  { path: 'users', key: 'navUsers', admin: true },
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
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
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
  let screen;
  switch (section) {
    case 'sessions':
      screen = id ? <SessionDetail id={id} /> : <Sessions />;
      break;
    case 'review':
      screen = <ReviewQueue />;
      break;
    case 'workflows':
      screen = <Workflows />;
      break;
    case 'webhooks':
      screen = <Webhooks />;
      break;
    case 'kiosks':
      screen = <Kiosks />;
      break;
    case 'audit':
      screen = <AuditLog />;
      break;
    case 'keys':
      screen = <ApiKeys />;
      break;
    case 'users':
      screen = <Users />;
      break;
    default:
      screen = <Sessions />;
  }

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
        {screen}
      </main>
    </Ctx.Provider>
  );
}
