// The audit log (admins): every human action and API-key use, newest first, with the hash chain's verdict.
import { useState } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useLoad } from './common';

interface Entry {
  id: number;
  at: string;
  actor_type: string;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}
interface Page {
  count: number;
  results: Entry[];
  chain: { ok: boolean; entries: number; firstBrokenId: number | null };
}

const PAGE = 50;

export function AuditLog() {
  const { t } = useConsole();
  const [offset, setOffset] = useState(0);
  const { data } = useLoad(() => api<Page>('GET', `audit?limit=${PAGE}&offset=${offset}`), [offset]);
  if (!data) return <p>{t('loading')}</p>;
  return (
    <section>
      <h1>{t('auditHeading')}</h1>
      <p role="status" className={data.chain.ok ? 'notice' : 'error'}>
        {data.chain.ok ? t('auditChainOk', { n: data.chain.entries }) : t('auditChainBroken', { id: data.chain.firstBrokenId ?? '?' })}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('when')}</th>
            <th scope="col">{t('actor')}</th>
            <th scope="col">{t('action')}</th>
            <th scope="col">{t('target')}</th>
            <th scope="col">{t('detail')}</th>
            <th scope="col">{t('address')}</th>
          </tr>
        </thead>
        <tbody>
          {data.results.map((entry) => (
            <tr key={entry.id}>
              <td>{when(entry.at)}</td>
              <td>
                {entry.actor} <span className="small">({entry.actor_type})</span>
              </td>
              <td className="mono">{entry.action}</td>
              <td className="mono">{entry.target ?? '–'}</td>
              <td className="mono small">{Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : ''}</td>
              <td className="mono small">{entry.ip ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          {t('previous')}
        </button>
        <span>{t('showing', { from: offset + 1, to: offset + data.results.length, count: data.count })}</span>
        <button type="button" disabled={offset + PAGE >= data.count} onClick={() => setOffset(offset + PAGE)}>
          {t('next')}
        </button>
      </div>
    </section>
  );
}
