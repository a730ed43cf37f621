// The review queue: every In Review session, oldest decisions first to settle.
import { api, type SessionSummary } from '../api';
import { useConsole } from '../context';
import { useLoad } from './common';
import { SessionTable } from './Sessions';

export function ReviewQueue() {
  const { t } = useConsole();
  const { data } = useLoad(() => api<{ count: number; results: SessionSummary[] }>('GET', 'review-queue'), []);
  return (
    <section>
      <h1>{t('queueHeading')}</h1>
      <SessionTable sessions={data && [...data.results].reverse()} emptyText={t('queueEmpty')} />
    </section>
  );
}
