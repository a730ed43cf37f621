// Webhook destinations (admins; the API's own, /v3/webhook/destinations/): add a named URL (its signing secret is
// shown once), enable/disable, delete.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useLoad } from './common';
import { DataTable } from '../DataTable';

interface Destination {
  id: string;
  label: string;
  url: string;
  enabled: boolean;
  created_at: string;
}

export function Webhooks() {
  const { t, fail } = useConsole();
  const { data, reload } = useLoad(() => api<{ results: Destination[] }>('GET', 'webhooks'), []);
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const run = (action: () => Promise<unknown>) => action().then(reload, fail);

  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const created = await api<Destination & { secret: string }>('POST', 'webhooks', { label, url });
      setSecret({ url: created.url, secret: created.secret });
      setUrl('');
      setLabel('');
    });
  };

  return (
    <section>
      <h1>{t('webhooksHeading')}</h1>
      <form className="filters" onSubmit={add}>
        <label>
          {t('webhookLabel')}
          <input required maxLength={100} value={label} onChange={(event) => setLabel(event.target.value)} />
        </label>
        <label className="grow">
          {t('url')}
          <input type="url" required value={url} onChange={(event) => setUrl(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('addWebhook')}
        </button>
      </form>
      {secret && (
        <div role="status" className="notice">
          <p>{t('webhookSecretOnce', { url: secret.url })}</p>
          <code className="secret">{secret.secret}</code>
        </div>
      )}
      <DataTable
        rows={data && data.results}
        rowKey={(destination) => destination.id}
        loadingText={t('loading')}
        emptyText={t('noWebhooks')}
        columns={[
          { header: t('webhookLabel'), cell: (destination) => destination.label },
          { header: t('url'), className: 'mono', cell: (destination) => destination.url },
          { header: t('status'), cell: (destination) => (destination.enabled ? t('enabled') : t('disabled')) },
          { header: t('created'), cell: (destination) => when(destination.created_at) },
          {
            header: <span className="visually-hidden">{t('edit')}</span>,
            className: 'actions',
            cell: (destination) => (
              <>
                <button
                  type="button"
                  onClick={() => run(() => api('PATCH', `webhooks/${destination.id}`, { enabled: !destination.enabled }))}
                >
                  {destination.enabled ? t('disable') : t('enable')}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => window.confirm(t('confirmRemove')) && run(() => api('DELETE', `webhooks/${destination.id}`))}
                >
                  {t('remove')}
                </button>
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
