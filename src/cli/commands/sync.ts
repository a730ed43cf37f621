// `liveness sync`: enrol on first use, then send the queued decisions to the central API once.
import { existsSync } from 'node:fs';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { openStore } from '../../node/store/store';
import { createSyncClient } from '../../node/sync/client';

export const summary = 'send queued decisions to the central API';

const HELP = `usage: liveness sync --server URL --db q.sqlite [--enrol-token TOKEN] [--json] [--batch-size 50]

  Enrols this queue's device key with the one-time token the first time, then sends every pending decision.
  Decisions the server already has are acknowledged as duplicates, never stored twice.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      server: { type: 'string' },
      db: { type: 'string' },
      'enrol-token': { type: 'string' },
      'batch-size': { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.server || !values.db) throw new CodedError('INVALID_ARGUMENT', `--server and --db are required.\n${HELP}`);
  try {
    new URL(values.server);
  } catch {
    throw new CodedError('INVALID_ARGUMENT', `--server ${values.server} is not a URL.`);
  }
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100)
    throw new CodedError('INVALID_ARGUMENT', '--batch-size must be 1-100.');
  if (!existsSync(values.db)) throw new CodedError('FILE_NOT_FOUND', `There is no queue at ${values.db}.`);
  const store = openStore({ path: values.db });
  try {
    if (store.recovery) console.error(`liveness sync: ${store.recovery.code}: ${store.recovery.message}`);
    const client = createSyncClient({ store, serverUrl: values.server, enrolToken: values['enrol-token'], batchSize });
    const wasEnrolled = client.deviceId() !== null;
    const report = await client.drainOnce();
    const stats = store.stats();
    const sessions = report.acceptedSeqs.map(
      (seq) => store.db.prepare('SELECT session_id FROM decisions WHERE seq = ?').pluck().get(seq) as string,
    );
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            server: values.server,
            device_id: report.deviceId,
            enrolled_now: !wasEnrolled,
            batches: report.batches,
            sent: report.sent,
            accepted: report.accepted,
            duplicate: report.duplicate,
            rejected: report.rejected,
            deferred: report.deferred,
            accepted_sessions: sessions,
            pending: stats.pending,
            stopped_by: report.stoppedBy,
            error: report.error,
          },
          null,
          2,
        ),
      );
    } else {
      if (!wasEnrolled) console.log(`enrolled with ${values.server} as ${report.deviceId}`);
      console.log(
        `sent ${report.sent} decisions in ${report.batches} batches: ${report.accepted} accepted, ${report.duplicate} duplicate, ${report.rejected} rejected, ${report.deferred} deferred; ${stats.pending} still pending`,
      );
      for (const session of sessions) console.log(`  accepted ${session}`);
      if (report.error) console.error(`liveness sync: stopped (${report.stoppedBy}): ${report.error}`);
    }
    return report.stoppedBy === null || report.stoppedBy === 'limit' ? 0 : 1;
  } finally {
    store.close();
  }
}
