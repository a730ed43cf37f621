// Sessions: filters (status, kiosk, dates), search, pages of 25, and the CSV export of what the filters select.
import { useState, type FormEvent } from 'react';
import { api, type SessionSummary } from '../api';
import { useConsole, when } from '../context';
import { shortId, StatusBadge, useLoad } from './common';

const PAGE = 25;
const STATUSES = ['Approved', 'In Review', 'Declined', 'Resubmitted', 'In Progress', 'Abandoned'];

export function SessionTable({ sessions }: { sessions: SessionSummary[] }) {
  const { t } = useConsole();
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('session')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('score')}</th>
          <th scope="col">{t('method')}</th>
          <th scope="col">{t('kiosk')}</th>
          <th scope="col">{t('warnings')}</th>
          <th scope="col">{t('created')}</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr key={session.session_id}>
            <td>
              <a href={`#/sessions/${encodeURIComponent(session.session_id)}`}>{session.session_id}</a>
            </td>
            <td>
              <StatusBadge status={session.status} />
            </td>
            <td className="number">{Math.round(session.score)}</td>
            <td>{t(`mode_${session.liveness_mode}` as 'mode_passive')}</td>
            <td title={session.kiosk}>{shortId(session.kiosk)}</td>
            <td>{session.warnings.length ? session.warnings.join(', ') : t('none')}</td>
            <td>{when(session.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t('previous')}
            </button>
            <span>{t('showing', { from: offset + 1, to: offset + data.results.length, count: data.count })}</span>
            <button type="button" disabled={offset + PAGE >= data.count} onClick={() => setOffset(offset + PAGE)}>
              {t('next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
