// Builds the kiosk service from the real parts: the ONNX engine, the liveness decision core, the SQLite store and
// the settings file. Used by Electron main and by `liveness kiosk`.
import { dirname, resolve } from 'node:path';
import { decisionSummarySchema, type DecisionSummary, type QueueStatus } from '../../shared/ipc-contract';
import { livenessResultSchema } from '../../shared/result';
import { createEngine } from '../engine/index';
import { createLivenessSession } from '../../liveness/index';
import { openStore, type DecisionStore as SqliteStore, type KeyProvider } from '../store/index';
import { checkServerUrl, createSyncClient } from '../sync/client';
import { CodedError } from '../../shared/errors';
import { defaultKeyProvider } from '../store/keys';
import { createSyncStatus, startKioskSync, type KioskSyncOptions } from './background-sync';
import type { DecisionStore } from './ports';
import { KioskService } from './service';
import { logger } from '../logging';
import { createKioskMetrics, type KioskMetrics } from '../host/kiosk-metrics';
import { createBlocklistScreen, syncBlocklist } from './blocklist';
import { BlocklistStore } from '../store/blocklist-store';
import { openSettingsFile } from './settings-file';
import { PilotRecorder } from '../calibration/recorder';
import { readPublicKey } from '../calibration/pack';
import { applyProvisioning, applySignedWorkflow } from './provisioning';
import type { SignedWorkflow } from '../../shared/workflow';
import { createBranchSessions } from './branch-session';
import { createFaceMatchScorer } from './branch-session-face-match';
import { readFileSync } from 'node:fs';
import { IMAGE_RETENTION_DAYS, RETENTION_SWEEP_MS } from '../../shared/retention';

export interface KioskPaths {
  /** SQLite decision queue. */
  dbPath: string;
  /** Kiosk settings JSON (default: kiosk-config.json beside the database). */
  configPath?: string;
}

/** Reference images are kept this long (here and on the central service); the consent screen states it (privacy.get). */
export { IMAGE_RETENTION_DAYS };

export interface ComposedKiosk {
  service: KioskService;
  /** Engine-stage and decision latency histograms (the browser host serves them at GET /metrics). */
  metrics: KioskMetrics;
  /** Fetch the face blocklist from the central API into the encrypted local copy (needs `sync`); entries kept. */
  refreshBlocklist(): Promise<number>;
  /** Applies what the central service issued this kiosk (staff credential, signing key, workflow); see provisioning.ts. */
  provision(provisioning: unknown): void;
  /** Applies a signed workflow if it verifies against the pinned key; the last good one stays otherwise. */
  applyWorkflow(envelope: unknown): SignedWorkflow;
  close(): Promise<void>;
}

/** How often a syncing kiosk refreshes its offline face blocklist. */
export const BLOCKLIST_REFRESH_MS = 15 * 60 * 1000;

export interface ComposeOptions {
  allowTestSeed?: boolean;
  /** Camera trust: accept Chromium's fake capture device (development only; see camera-trust.ts). */
  allowFakeCamera?: boolean;
  /** Where models/*.onnx live (a packaged app passes its unpacked resources folder). */
  modelsDir?: string;
  /** Key for the images at rest (Electron passes one sealed by safeStorage); default: a 0600 key file. */
  keyProvider?: KeyProvider;
  /** Drain the outbox to the central API in the background. */
  sync?: KioskSyncOptions;
  /** Clock of the staff lockouts and token expiry (tests move it). */
  now?: () => number;
  /** Reported to the central service at each sync (Electron passes app.getVersion()); default: package.json's. */
  appVersion?: string;
  /** Pilot capture: packs sealed to this X25519 public key (PEM) are written to `dir` (default capture-packs/ beside the database). */
  pilot?: { recipientPem: string; siteId: string; dir?: string };
}

export async function composeKiosk(paths: KioskPaths, options: ComposeOptions = {}): Promise<ComposedKiosk> {
  // A server URL the sync would refuse is refused before anything is opened.
  if (options.sync) checkServerUrl(options.sync.serverUrl);
  const dbPath = resolve(paths.dbPath);
  const settings = await openSettingsFile(resolve(paths.configPath ?? resolve(dirname(dbPath), 'kiosk-config.json')));
  const sqlite = openStore({ path: dbPath, keyProvider: options.keyProvider });
  // Purge on start and every few hours, so the retention promised on the consent screen holds on an always-on kiosk.
  const purge = () => {
    try {
      sqlite.purgeImagesOlderThan(IMAGE_RETENTION_DAYS);
    } catch (err) {
      logger('kiosk').error({ err }, 'image retention purge failed');
    }
  };
  purge();
  const sweeper = setInterval(purge, RETENTION_SWEEP_MS);
  sweeper.unref();
  let engine;
  try {
    engine = await createEngine(options.modelsDir ? { modelsDir: options.modelsDir } : {});
  } catch (err) {
    clearInterval(sweeper);
    sqlite.close();
    throw err;
  }
  const blocklist = new BlocklistStore(sqlite.db, options.keyProvider ?? defaultKeyProvider(dbPath));
  const pilot = options.pilot
    ? new PilotRecorder({
        recipient: readPublicKey(options.pilot.recipientPem),
        siteId: options.pilot.siteId,
        dir: resolve(options.pilot.dir ?? resolve(dirname(dbPath), 'capture-packs')),
      })
    : undefined;
  const appVersion = options.appVersion ?? packageVersion();
  const syncStatus = options.sync ? createSyncStatus(options.sync.serverUrl) : null;
  const metrics = createKioskMetrics();
  const service = new KioskService({
    engine: metrics.instrumentEngine(engine),
    createSession: metrics.instrumentSessions(createLivenessSession),
    store: storeAdapter(sqlite),
    settings,
    allowTestSeed: options.allowTestSeed,
    allowFakeCamera: options.allowFakeCamera,
    now: options.now,
    screenDecision: createBlocklistScreen(blocklist, engine),
    pilot,
    branchSessions: createBranchSessions({
      claim: options.sync
        ? createSyncClient({ store: sqlite, serverUrl: options.sync.serverUrl, enrolToken: options.sync.enrolToken }).claimSession
        : null,
      workflowKeyPem: () => settings.read().workflowKeyPem,
      alreadyRecorded: (attemptId) => sqlite.db.prepare('SELECT 1 FROM decisions WHERE session_id = ?').get(attemptId) !== undefined,
      now: options.now,
    }),
    faceMatch: createFaceMatchScorer(engine),
    // The consent screen is generated from these: what stays here, for how long, and where it is sent.
    privacy: { imageRetentionDays: IMAGE_RETENTION_DAYS, syncServer: syncStatus?.current().server ?? null },
    ...(syncStatus ? { syncStatus: syncStatus.current } : {}),
  });
  const syncLoop =
    options.sync && syncStatus
      ? startKioskSync(
          sqlite,
          {
            ...options.sync,
            applyWorkflow: (envelope, deviceId) => applySignedWorkflow(settings, envelope, deviceId),
            statusReport: () => {
              const workflow = settings.read().workflow?.payload;
              return {
                pending: sqlite.stats().pending,
                app_version: appVersion,
                workflow_id: workflow?.workflow_id ?? null,
                workflow_version: workflow?.version ?? null,
              };
            },
          },
          (line) => logger('sync').info(line),
          syncStatus,
        )
      : null;
  const refreshBlocklist = async (): Promise<number> => {
    if (!options.sync) throw new CodedError('INVALID_ARGUMENT', 'This kiosk has no central API configured to fetch a blocklist from.');
    const { serverUrl, enrolToken } = options.sync;
    const deviceId =
      sqlite.getSetting(`device_id@${new URL(serverUrl).origin}`) ??
      (await createSyncClient({ store: sqlite, serverUrl, enrolToken }).drainOnce()).deviceId;
    return syncBlocklist({ serverUrl, deviceId, decisions: sqlite, blocklist });
  };
  const refresher = options.sync
    ? setInterval(
        () => void refreshBlocklist().catch((err) => logger('kiosk').warn({ err }, 'blocklist refresh failed; it will retry')),
        BLOCKLIST_REFRESH_MS,
      )
    : null;
  refresher?.unref();
  return {
    service,
    metrics,
    refreshBlocklist,
    provision: (provisioning) => applyProvisioning(settings, provisioning),
    applyWorkflow: (envelope) => applySignedWorkflow(settings, envelope),
    async close() {
      if (refresher) clearInterval(refresher);
      clearInterval(sweeper);
      await syncLoop?.stop();
      await service.close();
      await engine.close();
      sqlite.close();
    },
  };
}

/** The store's queue and decisions in the contract's shapes. */
function storeAdapter(store: SqliteStore): DecisionStore {
  return {
    recordDecision: (result, referenceJpeg) => void store.recordDecision(result, referenceJpeg),
    queueStatus(): QueueStatus {
      const stats = store.stats();
      return {
        counts: { pending: stats.pending, sent: stats.done, rejected: stats.rejected },
        oldestPendingAt: stats.oldestPendingAt,
        total: stats.total,
      };
    },
    recentDecisions(limit: number): DecisionSummary[] {
      // Reads only the fields staff see; the signed record stays as the store wrote it.
      const rows = store.db.prepare('SELECT record_json FROM decisions ORDER BY seq DESC LIMIT ?').all(limit) as { record_json: string }[];
      return rows.flatMap((row) => {
        const result = livenessResultSchema.safeParse((JSON.parse(row.record_json) as { result?: unknown }).result);
        if (!result.success) return [];
        const summary = decisionSummarySchema.safeParse(result.data);
        return summary.success ? [summary.data] : [];
      });
    },
  };
}

/** The version in the project's package.json (source and `liveness kiosk` runs); null where it is not beside us. */
function packageVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
