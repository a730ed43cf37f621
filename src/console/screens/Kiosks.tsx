// Kiosks: last sync, records received, pending and app version (reported at each sync), the workflow it runs and
// the one it gets at its next sync.
import { useConsole, when } from '../context';
import { useResults } from './common';
import { DataTable } from '../DataTable';
import type { KioskSummary } from '../../shared/console-wire';

export function Kiosks() {
  const { t } = useConsole();
  const { rows } = useResults<KioskSummary>('kiosks');
  return (
    <section>
      <h1>{t('kiosksHeading')}</h1>
      <DataTable
        rows={rows}
        rowKey={(kiosk) => kiosk.device_id}
        emptyText={t('noKiosks')}
        columns={[
          { header: t('kiosk'), className: 'mono', cell: (kiosk) => kiosk.device_id },
          { header: t('lastSync'), cell: (kiosk) => when(kiosk.last_sync_at, t('never')) },
          { header: t('decisions'), className: 'number', cell: (kiosk) => kiosk.decisions },
          { header: t('lastSeq'), className: 'number', cell: (kiosk) => kiosk.last_seq },
          { header: t('pending'), cell: (kiosk) => (kiosk.pending === null ? t('notReported') : kiosk.pending) },
          { header: t('version'), className: 'mono', cell: (kiosk) => kiosk.version ?? t('notReported') },
          {
            header: t('workflow'),
            cell: (kiosk) => (
              <>
                {kiosk.workflow ? `${kiosk.workflow.name} (v${kiosk.workflow.version})` : t('builtIn')}
                {kiosk.delivered && (kiosk.delivered.id !== kiosk.workflow?.id || kiosk.delivered.version !== kiosk.workflow.version) && (
                  <span className="small"> → {t('deliveredNext', { name: kiosk.delivered.name, version: kiosk.delivered.version })}</span>
                )}
              </>
            ),
          },
          { header: t('models'), className: 'mono small', cell: (kiosk) => kiosk.models ?? '–' },
        ]}
      />
    </section>
  );
}
