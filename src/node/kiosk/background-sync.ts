// The kiosk's own outbox drain: while the kiosk runs, decisions reach the central API whenever it is reachable.
import { createSyncClient, type SyncLoopHandle } from '../sync/client';
import type { DecisionStore } from '../store/store';
import type { SyncStatus } from '../../shared/ipc-contract';
import { logger } from '../logging';

/** The sync's state for the staff panel, updated by the loop below. */
export function createSyncStatus(serverUrl: string): {
  current(): SyncStatus;
  success(at: Date): void;
  problem(kind: NonNullable<SyncStatus['lastProblem']>, at: Date): void;
} {
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
  /**
   * Applies the signed workflow the service sends (verify, then keep it as the last good one); throws when it does
   * not verify, and the kiosk keeps the workflow it had. Absent: the kiosk does not ask for one.
   */
  applyWorkflow?: (envelope: unknown, deviceId: string) => void;
  /** How often, at most, the kiosk asks for its workflow after a successful sync. */
  workflowRefreshMs?: number;
  /** What the kiosk reports after each sync (signed): outbox backlog, app version, applied workflow (console's kiosks screen). */
  statusReport?: () => KioskStatusReport;
}

export interface KioskStatusReport {
  pending: number;
  app_version: string | null;
  workflow_id: string | null;
  workflow_version: number | null;
}

/** A workflow edited centrally reaches a kiosk within a minute of its next successful sync. */
export const WORKFLOW_REFRESH_MS = 60_000;

export function startKioskSync(
  store: DecisionStore,
  options: KioskSyncOptions,
  log: (line: string) => void = (line) => logger('sync').info(line),
  status: SyncStatusTracker = createSyncStatus(options.serverUrl),
): SyncLoopHandle {
  const client = createSyncClient({ store, serverUrl: options.serverUrl, enrolToken: options.enrolToken });
  let lastError = '';
  let workflowCheckedAt = Number.NEGATIVE_INFINITY;
  let lastWorkflowProblem = '';
  let lastReportProblem = '';
  const refreshWorkflow = async (apply: NonNullable<KioskSyncOptions['applyWorkflow']>) => {
    workflowCheckedAt = Date.now();
    try {
      const { deviceId, envelope } = await client.fetchWorkflow();
      if (envelope !== null) apply(envelope, deviceId);
      lastWorkflowProblem = '';
    } catch (err) {
      // A workflow that does not verify (or an older one) is refused; the last good workflow stays in force.
      const message = (err as Error)?.message ?? String(err);
      if (message !== lastWorkflowProblem) log(`kiosk sync: workflow not applied: ${message}`);
      lastWorkflowProblem = message;
    }
  };
  return client.startSyncLoop({
    idleMs: options.idleMs,
    onReport(report) {
      lastError = '';
      if (report.error) status.problem(report.rejected > 0 ? 'refused' : 'server_error', new Date());
      else status.success(new Date());
      if (report.sent > 0) {
        log(
          `kiosk sync: ${report.accepted} accepted, ${report.duplicate} duplicate, ${report.rejected} rejected, ${report.deferred} deferred`,
        );
      }
      if (report.error) log(`kiosk sync: stopped early (${report.stoppedBy}): ${report.error}`);
      if (options.statusReport && !report.error) {
        void client.reportStatus(options.statusReport()).then(
          () => (lastReportProblem = ''),
          (err: unknown) => {
            // Sent again after the next sync; said once, not every pass.
            const message = (err as Error)?.message ?? String(err);
            if (message !== lastReportProblem) log(`kiosk sync: status report not sent: ${message}`);
            lastReportProblem = message;
          },
        );
      }
      const apply = options.applyWorkflow;
      if (apply && !report.error && Date.now() - workflowCheckedAt >= (options.workflowRefreshMs ?? WORKFLOW_REFRESH_MS)) {
        void refreshWorkflow(apply);
      }
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
