// Per-user API keys for integrators: admins create them (the key is shown once), anyone revokes their own.
import { useState } from 'react';
import { api } from '../api';
import { isAdmin, useConsole, when } from '../context';
import { useResults } from './common';
import { DataTable } from '../DataTable';
import { CreateForm, EndableStatus, SecretOnce, TextField, type EndableLabels } from '../Form';
import type { ApiKeySummary } from '../../shared/console-wire';

const KEY_STATUS: EndableLabels = { ended: 'revoked', live: 'active', end: 'revoke' };

export function ApiKeys() {
  const { t, user } = useConsole();
  const { rows, act } = useResults<ApiKeySummary>('api-keys');
  const [label, setLabel] = useState('');
  const [fresh, setFresh] = useState<string | null>(null);

  const create = () =>
    act(async () => {
      const created = await api<{ key: string }>('POST', 'api-keys', { label });
      setFresh(created.key);
      setLabel('');
    });
  const revoke = (key: ApiKeySummary) => act(() => api('DELETE', `api-keys/${key.id}`));

  return (
    <section>
      <h1>{t('keysHeading')}</h1>
      {isAdmin(user) && (
        <CreateForm submitLabel={t('createKey')} onCreate={create}>
          <TextField label={t('label')} className="grow" required maxLength={100} value={label} onValue={setLabel} />
        </CreateForm>
      )}
      {fresh && <SecretOnce message={t('keyOnce')} secret={fresh} />}
      <DataTable
        rows={rows}
        emptyText={t('noKeys')}
        columns={[
          { header: t('label'), cell: (key) => key.label },
          { header: t('owner'), cell: (key) => key.username },
          { header: t('prefix'), className: 'mono', cell: (key) => `${key.prefix}…` },
          { header: t('created'), cell: (key) => when(key.created_at) },
          { header: t('lastUsed'), cell: (key) => when(key.last_used_at, t('never')) },
          { header: t('status'), cell: (key) => <EndableStatus endedAt={key.revoked_at} labels={KEY_STATUS} onEnd={() => revoke(key)} /> },
        ]}
      />
    </section>
  );
}
