// The kiosk's own outbox drain: while the kiosk runs, decisions reach the central API whenever it is reachable.
import { createSyncClient, type SyncLoopHandle } from '../sync/client';
import type { DecisionStore } from '../store/store';

export interface KioskSyncOptions {
  /** Base URL of the central API. */
  serverUrl: string;
  /** One-time enrolment token, needed only until this kiosk has enrolled with that server. */
  enrolToken?: string;
  /** Pause between drains when the outbox is empty. */
  idleMs?: number;
}

export function startKioskSync(store: DecisionStore, options: KioskSyncOptions, log: (line: string) => void = console.log): SyncLoopHandle {
  const client = createSyncClient({ store, serverUrl: options.serverUrl, enrolToken: options.enrolToken });
  let lastError = '';
  return client.startSyncLoop({
    idleMs: options.idleMs,
    onReport(report) {
      lastError = '';
      if (report.sent > 0) {
        log(`kiosk sync: ${report.accepted} accepted, ${report.duplicate} duplicate, ${report.rejected} rejected, ${report.deferred} deferred`);
      }
      if (report.error) log(`kiosk sync: stopped early (${report.stoppedBy}): ${report.error}`);
    },
    onError(err) {
      // Offline is the normal state of a field laptop: say it once, not every retry.
      const message = (err as Error)?.message ?? String(err);
      if (message !== lastError) log(`kiosk sync: will retry: ${message}`);
      lastError = message;
    },
  });
}
