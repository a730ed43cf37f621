// Webhook destinations (admins; the API's own, /v3/webhook/destinations/): add a named URL (its signing secret is
// shown once), enable/disable, delete.
import { useState } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useResults } from './common';
import { DataTable } from '../DataTable';
import { CreateForm, SecretOnce, TextField } from '../Form';

interface Destination {
  id: string;
  label: string;
  url: string;
  enabled: boolean;
  created_at: string;
}

export function Webhooks() {
  const { t } = useConsole();
  const { rows, act } = useResults<Destination>('webhooks');
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

  const add = () =>
    act(async () => {
      const created = await api<Destination & { secret: string }>('POST', 'webhooks', { label, url });
      setSecret({ url: created.url, secret: created.secret });
      setUrl('');
      setLabel('');
    });

  return (
    <section>
      <h1>{t('webhooksHeading')}</h1>
      <CreateForm submitLabel={t('addWebhook')} onCreate={add}>
        <TextField label={t('webhookLabel')} required maxLength={100} value={label} onValue={setLabel} />
        <TextField label={t('url')} className="grow" type="url" required value={url} onValue={setUrl} />
      </CreateForm>
      {secret && <SecretOnce message={t('webhookSecretOnce', { url: secret.url })} secret={secret.secret} />}
      <DataTable
        rows={rows}
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
                  onClick={() => act(() => api('PATCH', `webhooks/${destination.id}`, { enabled: !destination.enabled }))}
                >
                  {destination.enabled ? t('disable') : t('enable')}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => window.confirm(t('confirmRemove')) && act(() => api('DELETE', `webhooks/${destination.id}`))}
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
