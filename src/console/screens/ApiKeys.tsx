// Per-user API keys for integrators: admins create them (the key is shown once), anyone revokes their own.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { isAdmin, useConsole, when } from '../context';
import { useLoad } from './common';
import { DataTable } from '../DataTable';

interface Key {
  id: number;
  username: string;
  label: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export function ApiKeys() {
  const { t, user, fail } = useConsole();
  const { data, reload } = useLoad(() => api<{ results: Key[] }>('GET', 'api-keys'), []);
  const [label, setLabel] = useState('');
  const [fresh, setFresh] = useState<string | null>(null);

  const create = (event: FormEvent) => {
    event.preventDefault();
    api<{ key: string }>('POST', 'api-keys', { label })
      .then((created) => {
        setFresh(created.key);
        setLabel('');
        reload();
      })
      .catch(fail);
  };

  return (
    <section>
      <h1>{t('keysHeading')}</h1>
      {isAdmin(user) && (
        <form className="filters" onSubmit={create}>
          <label className="grow">
            {t('label')}
            <input required maxLength={100} value={label} onChange={(event) => setLabel(event.target.value)} />
          </label>
          <button type="submit" className="primary">
            {t('createKey')}
          </button>
        </form>
      )}
      {fresh && (
        <div role="status" className="notice">
          <p>{t('keyOnce')}</p>
          <code className="secret">{fresh}</code>
        </div>
      )}
      <DataTable
        rows={data && data.results}
        rowKey={(key) => key.id}
        loadingText={t('loading')}
        emptyText={t('noKeys')}
        columns={[
          { header: t('label'), cell: (key) => key.label },
          { header: t('owner'), cell: (key) => key.username },
          { header: t('prefix'), className: 'mono', cell: (key) => `${key.prefix}…` },
          { header: t('created'), cell: (key) => when(key.created_at) },
          { header: t('lastUsed'), cell: (key) => when(key.last_used_at, t('never')) },
          {
            header: t('status'),
            cell: (key) =>
              key.revoked_at ? (
                `${t('revoked')} ${when(key.revoked_at)}`
              ) : (
                <>
                  {t('active')}{' '}
                  <button type="button" className="danger" onClick={() => api('DELETE', `api-keys/${key.id}`).then(reload, fail)}>
                    {t('revoke')}
                  </button>
                </>
              ),
          },
        ]}
      />
    </section>
  );
}
