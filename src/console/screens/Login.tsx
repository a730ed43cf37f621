// Sign-in: username and password; errors (wrong password, locked, too many attempts) in the user's language.
import { useState, type FormEvent } from 'react';
import { api, ApiError, type User } from '../api';
import { errorKey, type Translate } from '../i18n';

export function Login({ t, onSignedIn }: { t: Translate; onSignedIn: (user: User, csrf: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ user: User; csrf_token: string }>('POST', 'login', { username, password });
      setPassword('');
      onSignedIn(answer.user, answer.csrf_token);
    } catch (err) {
      setError(t(errorKey(err instanceof ApiError ? err.code : 'other')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card login" onSubmit={submit}>
        <h1>{t('signInHeading')}</h1>
        <label>
          {t('username')}
          <input name="username" autoComplete="username" required value={username} onChange={(event) => setUsername(event.target.value)} />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
