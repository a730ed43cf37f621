// The audit log (admins): every human action and API-key use, newest first, with the hash chain's verdict.
import { useState } from 'react';
import { api } from '../api';
import { useConsole, when } from '../context';
import { useLoad } from './common';
import { DataTable } from '../DataTable';
import { Pager } from '../Pager';
import type { AuditChainCheck, AuditEntry } from '../../shared/console-wire';

interface Page {
  count: number;
  results: AuditEntry[];
  chain: AuditChainCheck;
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
      <DataTable
        rows={data.results}
        columns={[
          { header: t('when'), cell: (entry) => when(entry.at) },
          {
            header: t('actor'),
            cell: (entry) => (
              <>
                {entry.actor} <span className="small">({entry.actor_type})</span>
              </>
            ),
          },
          { header: t('action'), className: 'mono', cell: (entry) => entry.action },
          { header: t('target'), className: 'mono', cell: (entry) => entry.target ?? '–' },
          {
            header: t('detail'),
            className: 'mono small',
            cell: (entry) => (Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : ''),
          },
          { header: t('address'), className: 'mono small', cell: (entry) => entry.ip ?? '' },
        ]}
      />
      <Pager offset={offset} pageSize={PAGE} shown={data.results.length} count={data.count} onOffset={setOffset} />
    </section>
  );
}
