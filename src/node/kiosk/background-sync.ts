// The kiosk's own outbox drain: while the kiosk runs, decisions reach the central API whenever it is reachable.
import { createSyncClient, type SyncLoopHandle } from '../sync/client';
import type { DecisionStore } from '../store/store';
import type { SyncStatus } from '../../shared/ipc-contract';

/** The sync's state for the staff panel, updated by the loop below. */
export function createSyncStatus(serverUrl: string): { current(): SyncStatus; success(at: Date): void; problem(kind: NonNullable<SyncStatus['lastProblem']>, at: Date): void } {
  const status: SyncStatus = { server: new URL(serverUrl).host, lastSuccessAt: null, lastProblem: null, lastProblemAt: null };
  return {
    current: () => ({ ...status }),
    success(at) {
      status.lastSuccessAt = at.toISOString();
      status.lastProblem = null;
    },
    problem(kind, at) {
      status.lastProblem = kind;
      status.lastProblemAt = at.toISOString();
    },
  };
}
export type SyncStatusTracker = ReturnType<typeof createSyncStatus>;

export interface KioskSyncOptions {
  /** Base URL of the central API. */
  serverUrl: string;
  /** One-time enrolment token, needed only until this kiosk has enrolled with that server. */
  enrolToken?: string;
  /** Pause between drains when the outbox is empty. */
  idleMs?: number;
}

export function startKioskSync(
  store: DecisionStore,
  options: KioskSyncOptions,
  log: (line: string) => void = console.log,
  status: SyncStatusTracker = createSyncStatus(options.serverUrl),
): SyncLoopHandle {
  const client = createSyncClient({ store, serverUrl: options.serverUrl, enrolToken: options.enrolToken });
  let lastError = '';
  return client.startSyncLoop({
    idleMs: options.idleMs,
    onReport(report) {
      lastError = '';
      if (report.error) status.problem(report.rejected > 0 ? 'refused' : 'server_error', new Date());
      else status.success(new Date());
      if (report.sent > 0) {
        log(`kiosk sync: ${report.accepted} accepted, ${report.duplicate} duplicate, ${report.rejected} rejected, ${report.deferred} deferred`);
      }
      if (report.error) log(`kiosk sync: stopped early (${report.stoppedBy}): ${report.error}`);
    },
    onError(err) {
      // Offline is the normal state of a field laptop: say it once, not every retry.
      const message = (err as Error)?.message ?? String(err);
      status.problem('offline', new Date());
      if (message !== lastError) log(`kiosk sync: will retry: ${message}`);
      lastError = message;
    },
  });
}
