// `liveness queue`: what the kiosk's offline queue holds (counts by state, oldest pending), and image retention.
import { existsSync } from 'node:fs';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { openStore } from '../../node/store/store';

export const summary = 'the local decision queue';

const HELP = `usage: liveness queue --db q.sqlite [--json] [--purge-images-older-than DAYS]

  Shows how many decisions are pending, sent (done) and rejected, and the oldest pending one.
  --purge-images-older-than DAYS  delete reference images older than DAYS (decisions are kept)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      'purge-images-older-than': { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.db) throw new CodedError('INVALID_ARGUMENT', `--db is required.\n${HELP}`);
  if (!existsSync(values.db)) throw new CodedError('FILE_NOT_FOUND', `There is no queue at ${values.db}.`);
  const store = openStore({ path: values.db });
  try {
    if (store.recovery) console.error(`liveness queue: ${store.recovery.code}: ${store.recovery.message}`);
    let purged: number | null = null;
    if (values['purge-images-older-than'] !== undefined) purged = store.purgeImagesOlderThan(Number(values['purge-images-older-than']));
    const stats = store.stats();
    if (values.json) {
      console.log(
        JSON.stringify(
          { db: values.db, ...stats, ...(purged !== null ? { imagesPurged: purged } : {}), recovery: store.recovery },
          null,
          2,
        ),
      );
    } else {
      console.log(`queue ${values.db}: ${stats.total} decisions; pending ${stats.pending}, done ${stats.done}, rejected ${stats.rejected}`);
      console.log(`oldest pending: ${stats.oldestPendingAt ?? 'none'}; reference images stored: ${stats.imagesStored}`);
      if (stats.lastError) console.log(`last error: ${stats.lastError}`);
      if (purged !== null) console.log(`purged ${purged} reference images`);
    }
    return 0;
  } finally {
    store.close();
  }
}
