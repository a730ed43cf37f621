// Workflows (the API's own, /v3/workflows/): method, threshold, attempts, challenges and checks; admins edit,
// everyone reads. Each save is a new version, audited field by field, that kiosks pick up at their next sync.
import { useState, type FormEvent } from 'react';
import { api, type Workflow } from '../api';
import { isAdmin, useConsole, when } from '../context';
import type { StringKey } from '../i18n';
import { useResults } from './common';
import { DataTable } from '../DataTable';
import { SelectField, TextField } from '../Form';
import { CheckboxFieldset, OptionList } from '../../web/controls';

const MODES = ['passive', 'active', 'flash', 'action_flash'] as const;
const CHALLENGES = ['head_left', 'head_right', 'smile', 'blink'];
const CHECKS = ['LIVENESS', 'FACE_MATCH', 'FACE_SEARCH'];
type Draft = Omit<Workflow, 'id' | 'version' | 'updated_at' | 'status'>;
const BLANK: Draft = {
  name: '',
  liveness_mode: 'passive',
  liveness_threshold: 75,
  max_attempts: 3,
  challenges: [...CHALLENGES],
  checks: ['LIVENESS'],
  is_default: false,
};

function toDraft(workflow: Workflow): Draft {
  const { name, liveness_mode, liveness_threshold, max_attempts, challenges, checks, is_default } = workflow;
  return { name, liveness_mode, liveness_threshold, max_attempts, challenges, checks, is_default };
}

function toggle(list: string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((item) => item !== value);
}

function WorkflowForm({
  initial,
  id,
  onSaved,
  onCancel,
}: {
  initial: Draft;
  id: string | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t, fail } = useConsole();
  const [draft, setDraft] = useState<Draft>(initial);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api(id ? 'PUT' : 'POST', id ? `workflows/${id}` : 'workflows', draft);
      onSaved();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <form className="card workflow-form" onSubmit={submit}>
      <h2>{id ? t('editWorkflow', { name: initial.name }) : t('newWorkflow')}</h2>
      <TextField label={t('name')} required maxLength={50} value={draft.name} onValue={(name) => setDraft({ ...draft, name })} />
      <SelectField
        label={t('method')}
        value={draft.liveness_mode}
        onValue={(mode) => setDraft({ ...draft, liveness_mode: mode as Draft['liveness_mode'] })}
      >
        <OptionList values={MODES} label={(mode) => t(`mode_${mode}`)} />
      </SelectField>
      <TextField
        label={t('threshold')}
        type="number"
        min={0}
        max={100}
        step={1}
        required
        value={draft.liveness_threshold}
        onValue={(threshold) => setDraft({ ...draft, liveness_threshold: Number(threshold) })}
      />
      <SelectField label={t('maxAttempts')} value={draft.max_attempts} onValue={(n) => setDraft({ ...draft, max_attempts: Number(n) })}>
        <OptionList values={[1, 2, 3]} label={(n) => n} />
      </SelectField>
      <CheckboxFieldset
        legend={t('challenges')}
        labelClassName="inline"
        options={CHALLENGES}
        checked={draft.challenges}
        onToggle={(challenge, on) => setDraft({ ...draft, challenges: toggle(draft.challenges, challenge, on) })}
        optionLabel={(challenge) => t(`challenge_${challenge}` as StringKey)}
      />
      <CheckboxFieldset
        legend={t('checks')}
        labelClassName="inline"
        options={CHECKS}
        checked={draft.checks}
        disabled={(check) => check === 'LIVENESS'}
        onToggle={(check, on) => setDraft({ ...draft, checks: toggle(draft.checks, check, on) })}
        optionLabel={(check) => t(`check_${check}` as StringKey)}
      />
      <label className="inline">
        <input type="checkbox" checked={draft.is_default} onChange={(event) => setDraft({ ...draft, is_default: event.target.checked })} />
        {t('isDefault')}
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          {t('save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

export function Workflows() {
  const { t, user } = useConsole();
  const { rows, reload } = useResults<Workflow>('workflows');
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const admin = isAdmin(user);
  return (
    <section>
      <h1>{t('workflowsHeading')}</h1>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {admin && !editing && (
        <button
          type="button"
          className="primary"
          onClick={() => {
            setNotice(null);
            setEditing({ id: null, draft: BLANK });
          }}
        >
          {t('newWorkflow')}
        </button>
      )}
      {editing && (
        <WorkflowForm
          key={editing.id ?? 'new'}
          id={editing.id}
          initial={editing.draft}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setNotice(t('saved'));
            reload();
          }}
        />
      )}
      <DataTable
        rows={rows}
        emptyText={t('noWorkflows')}
        columns={[
          {
            header: t('name'),
            cell: (workflow) => (
              <>
                {workflow.name}
                {workflow.is_default && <span className="badge">{t('default')}</span>}
              </>
            ),
          },
          { header: t('method'), cell: (workflow) => t(`mode_${workflow.liveness_mode}`) },
          { header: t('threshold'), className: 'number', cell: (workflow) => workflow.liveness_threshold },
          { header: t('maxAttempts'), className: 'number', cell: (workflow) => workflow.max_attempts },
          {
            header: t('challenges'),
            cell: (workflow) => workflow.challenges.map((c) => t(`challenge_${c}` as StringKey)).join(', ') || t('none'),
          },
          { header: t('checks'), cell: (workflow) => workflow.checks.map((c) => t(`check_${c}` as StringKey)).join(', ') },
          { header: t('version'), className: 'number', cell: (workflow) => workflow.version },
          { header: t('updated'), cell: (workflow) => when(workflow.updated_at) },
          ...(admin
            ? [
                {
                  header: <span className="visually-hidden">{t('edit')}</span>,
                  cell: (workflow: Workflow) => (
                    <button
                      type="button"
                      aria-label={`${t('edit')} ${workflow.name}`}
                      onClick={() => {
                        setNotice(null);
                        setEditing({ id: workflow.id, draft: toDraft(workflow) });
                      }}
                    >
                      {t('edit')}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </section>
  );
}
