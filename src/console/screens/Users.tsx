// Users (admins): create accounts with a role; disable them (their sessions and API keys stop at once).
import { useState } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useResults } from './common';
import { DataTable } from '../DataTable';
import { CreateForm, EndableStatus, SelectField, TextField, type EndableLabels } from '../Form';
import { OptionList } from '../../web/controls';
import { ROLES, type ConsoleUser } from '../../shared/console-wire';

const BLANK = { username: '', password: '', role: 'reviewer' };
const ACCOUNT_STATUS: EndableLabels = { ended: 'disabled', live: 'enabled', end: 'disable' };

export function Users() {
  const { t } = useConsole();
  const { rows, act } = useResults<ConsoleUser>('users');
  const [draft, setDraft] = useState(BLANK);

  const create = () =>
    act(async () => {
      await api('POST', 'users', draft);
      setDraft(BLANK);
    });
  const disable = (account: ConsoleUser) => window.confirm(t('confirmRemove')) && act(() => api('POST', `users/${account.id}/disable`));

  return (
    <section>
      <h1>{t('usersHeading')}</h1>
      <CreateForm submitLabel={t('createUser')} onCreate={create}>
        <TextField
          label={t('username')}
          required
          autoComplete="off"
          value={draft.username}
          onValue={(username) => setDraft({ ...draft, username })}
        />
        <TextField
          label={t('password')}
          required
          type="password"
          autoComplete="new-password"
          minLength={12}
          aria-describedby="password-hint"
          value={draft.password}
          onValue={(password) => setDraft({ ...draft, password })}
        >
          <span id="password-hint" className="small">
            {t('passwordHint')}
          </span>
        </TextField>
        <SelectField label={t('role')} value={draft.role} onValue={(role) => setDraft({ ...draft, role })}>
          <OptionList values={ROLES} label={(role) => t(`role_${role}`)} />
        </SelectField>
      </CreateForm>
      <DataTable
        rows={rows}
        emptyText={t('noUsers')}
        columns={[
          { header: t('username'), cell: (account) => account.username },
          { header: t('role'), cell: (account) => t(`role_${account.role}`) },
          { header: t('created'), cell: (account) => when(account.created_at) },
          {
            header: t('status'),
            cell: (account) => <EndableStatus endedAt={account.disabled_at} labels={ACCOUNT_STATUS} onEnd={() => disable(account)} />,
          },
        ]}
      />
    </section>
  );
}
