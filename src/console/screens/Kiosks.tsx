// Kiosks: last sync, records received, pending and app version (reported at each sync), the workflow it runs and
// the one it gets at its next sync.
import { api } from '../api';
import { useConsole, when } from '../context';
import { useLoad } from './common';
import type { KioskSummary } from '../../shared/console-wire';

export function Kiosks() {
  const { t } = useConsole();
  const { data } = useLoad(() => api<{ results: KioskSummary[] }>('GET', 'kiosks'), []);
  return (
    <section>
      <h1>{t('kiosksHeading')}</h1>
      {data === null ? (
        <p>{t('loading')}</p>
      ) : data.results.length === 0 ? (
        <p>{t('noKiosks')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('kiosk')}</th>
              <th scope="col">{t('lastSync')}</th>
              <th scope="col">{t('decisions')}</th>
              <th scope="col">{t('lastSeq')}</th>
              <th scope="col">{t('pending')}</th>
              <th scope="col">{t('version')}</th>
              <th scope="col">{t('workflow')}</th>
              <th scope="col">{t('models')}</th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((kiosk) => (
              <tr key={kiosk.device_id}>
                <td className="mono">{kiosk.device_id}</td>
                <td>{when(kiosk.last_sync_at, t('never'))}</td>
                <td className="number">{kiosk.decisions}</td>
                <td className="number">{kiosk.last_seq}</td>
                <td>{kiosk.pending === null ? t('notReported') : kiosk.pending}</td>
                <td className="mono">{kiosk.version ?? t('notReported')}</td>
                <td>
                  {kiosk.workflow ? `${kiosk.workflow.name} (v${kiosk.workflow.version})` : t('builtIn')}
                  {kiosk.delivered && (kiosk.delivered.id !== kiosk.workflow?.id || kiosk.delivered.version !== kiosk.workflow.version) && (
                    <span className="small"> → {t('deliveredNext', { name: kiosk.delivered.name, version: kiosk.delivered.version })}</span>
                  )}
                </td>
                <td className="mono small">{kiosk.models ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
