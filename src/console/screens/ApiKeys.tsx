// Per-user API keys for integrators: admins create them (the key is shown once), anyone revokes their own.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { isAdmin, useConsole, when } from '../context';
import { useLoad } from './common';

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
      {data === null ? (
        <p>{t('loading')}</p>
      ) : data.results.length === 0 ? (
        <p>{t('noKeys')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('label')}</th>
              <th scope="col">{t('owner')}</th>
              <th scope="col">{t('prefix')}</th>
              <th scope="col">{t('created')}</th>
              <th scope="col">{t('lastUsed')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((key) => (
              <tr key={key.id}>
                <td>{key.label}</td>
                <td>{key.username}</td>
                <td className="mono">{key.prefix}…</td>
                <td>{when(key.created_at)}</td>
                <td>{when(key.last_used_at, t('never'))}</td>
                <td>
                  {key.revoked_at ? (
                    `${t('revoked')} ${when(key.revoked_at)}`
                  ) : (
                    <>
                      {t('active')}{' '}
                      <button type="button" className="danger" onClick={() => api('DELETE', `api-keys/${key.id}`).then(reload, fail)}>
                        {t('revoke')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
