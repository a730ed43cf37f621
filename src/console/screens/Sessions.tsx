// Sessions: filters (status, kiosk, dates), search, pages of 25, and the CSV export of what the filters select.
import { useState, type FormEvent } from 'react';
import { api, type SessionSummary } from '../api';
import { useConsole, when } from '../context';
import { shortId, StatusBadge, useLoad } from './common';
import { DataTable } from '../DataTable';
import { Pager } from '../Pager';

const PAGE = 25;
const STATUSES = ['Approved', 'In Review', 'Declined', 'Resubmitted', 'In Progress', 'Abandoned'];

/** Sessions as a table; null while loading, and an empty list shows `emptyText` when given. */
export function SessionTable({ sessions, emptyText }: { sessions: SessionSummary[] | null; emptyText?: string }) {
  const { t } = useConsole();
  return (
    <DataTable
      rows={sessions}
      rowKey={(session) => session.session_id}
      emptyText={emptyText}
      columns={[
        {
          header: t('session'),
          cell: (session) => <a href={`#/sessions/${encodeURIComponent(session.session_id)}`}>{session.session_id}</a>,
        },
        { header: t('status'), cell: (session) => <StatusBadge status={session.status} /> },
        { header: t('score'), className: 'number', cell: (session) => Math.round(session.score) },
        { header: t('method'), cell: (session) => t(`mode_${session.liveness_mode}` as 'mode_passive') },
        { header: t('kiosk'), title: (session) => session.kiosk, cell: (session) => shortId(session.kiosk) },
        { header: t('warnings'), cell: (session) => (session.warnings.length ? session.warnings.join(', ') : t('none')) },
        { header: t('created'), cell: (session) => when(session.created_at) },
      ]}
    />
  );
}

export function Sessions() {
  const { t } = useConsole();
  const [draft, setDraft] = useState({ status: '', kiosk: '', from: '', to: '', q: '' });
  const [filters, setFilters] = useState(draft);
  const [offset, setOffset] = useState(0);
  // A "to" date means the whole of that day.
  const wanted = { ...filters, to: filters.to ? `${filters.to}T23:59:59.999Z` : '' };
  const query = new URLSearchParams(Object.entries(wanted).filter(([, value]) => value !== '')).toString();
  const { data } = useLoad(
    () => api<{ count: number; results: SessionSummary[] }>('GET', `sessions?${query}&limit=${PAGE}&offset=${offset}`),
    [query, offset],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setFilters(draft);
  };
  const field = (name: keyof typeof draft) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });

  return (
    <section>
      <h1>{t('navSessions')}</h1>
      <form className="filters" onSubmit={apply} aria-label={t('filters')}>
        <label>
          {t('status')}
          <select {...field('status')}>
            <option value="">{t('anyStatus')}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status_${status}` as 'status_Approved')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('kiosk')}
          <input {...field('kiosk')} />
        </label>
        <label>
          {t('from')}
          <input type="date" {...field('from')} />
        </label>
        <label>
          {t('to')}
          <input type="date" {...field('to')} />
        </label>
        <label className="grow">
          {t('search')}
          <input type="search" {...field('q')} />
        </label>
        <button type="submit" className="primary">
          {t('apply')}
        </button>
        <a className="button" href={`/console/api/sessions.csv?${query}`} download="sessions.csv">
          {t('exportCsv')}
        </a>
      </form>
      {data === null ? (
        <p>{t('loading')}</p>
      ) : data.results.length === 0 ? (
        <p>{t('noSessions')}</p>
      ) : (
        <>
          <SessionTable sessions={data.results} />
          <Pager offset={offset} pageSize={PAGE} shown={data.results.length} count={data.count} onOffset={setOffset} />
        </>
      )}
    </section>
  );
}
