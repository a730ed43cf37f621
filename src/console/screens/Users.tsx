// Users (admins): create accounts with a role; disable them (their sessions and API keys stop at once).
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useLoad } from './common';
import { DataTable } from '../DataTable';

interface Account {
  id: number;
  username: string;
  role: 'viewer' | 'reviewer' | 'admin';
  created_at: string;
  disabled_at: string | null;
}

export function Users() {
  const { t, fail } = useConsole();
  const { data, reload } = useLoad(() => api<{ results: Account[] }>('GET', 'users'), []);
  const [draft, setDraft] = useState({ username: '', password: '', role: 'reviewer' });

  const create = (event: FormEvent) => {
    event.preventDefault();
    api('POST', 'users', draft)
      .then(() => {
        setDraft({ username: '', password: '', role: 'reviewer' });
        reload();
      })
      .catch(fail);
  };

  return (
    <section>
      <h1>{t('usersHeading')}</h1>
      <form className="filters" onSubmit={create}>
        <label>
          {t('username')}
          <input
            required
            autoComplete="off"
            value={draft.username}
            onChange={(event) => setDraft({ ...draft, username: event.target.value })}
          />
        </label>
        <label>
          {t('password')}
          <input
            required
            type="password"
            autoComplete="new-password"
            minLength={12}
            aria-describedby="password-hint"
            value={draft.password}
            onChange={(event) => setDraft({ ...draft, password: event.target.value })}
          />
          <span id="password-hint" className="small">
            {t('passwordHint')}
          </span>
        </label>
        <label>
          {t('role')}
          <select value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.target.value })}>
            {(['viewer', 'reviewer', 'admin'] as const).map((role) => (
              <option key={role} value={role}>
                {t(`role_${role}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          {t('createUser')}
        </button>
      </form>
      <DataTable
        rows={data && data.results}
        rowKey={(account) => account.id}
        loadingText={t('loading')}
        emptyText={t('noUsers')}
        columns={[
          { header: t('username'), cell: (account) => account.username },
          { header: t('role'), cell: (account) => t(`role_${account.role}`) },
          { header: t('created'), cell: (account) => when(account.created_at) },
          {
            header: t('status'),
            cell: (account) =>
              account.disabled_at ? (
                `${t('disabled')} ${when(account.disabled_at)}`
              ) : (
                <>
                  {t('enabled')}{' '}
                  <button
                    type="button"
                    className="danger"
                    onClick={() => window.confirm(t('confirmRemove')) && api('POST', `users/${account.id}/disable`).then(reload, fail)}
                  >
                    {t('disable')}
                  </button>
                </>
              ),
          },
        ]}
      />
    </section>
  );
}
