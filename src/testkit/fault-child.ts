// A child process for the fault tests: a decision writer or a sync client that the parent (or itself) SIGKILLs.
//   writer --db FILE --prefix P --count N [--die-after K]
//   sync   --db FILE --server URL --token T [--batch B] [--die-at before-send|after-send|after-ack --die-n K]
import { parseArgs } from 'node:util';
import { openStore } from '../node/store/store';
import { createSyncClient } from '../node/sync/client';
import type { FaultPoint } from '../node/sync/queue';
import { makeResult, tinyJpeg } from './fault-support';

const [mode, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    db: { type: 'string' },
    prefix: { type: 'string', default: 'w' },
    count: { type: 'string', default: '40' },
    'die-after': { type: 'string' },
    server: { type: 'string' },
    token: { type: 'string' },
    batch: { type: 'string', default: '10' },
    'die-at': { type: 'string' },
    'die-n': { type: 'string', default: '1' },
  },
});

const die = () => process.kill(process.pid, 'SIGKILL');
const store = openStore({ path: values.db!, lockWaitMs: 30_000 });
if (store.recovery) console.log(`recovery ${store.recovery.code}`);

if (mode === 'writer') {
  const count = Number(values.count);
  const dieAfter = values['die-after'] !== undefined ? Number(values['die-after']) : Infinity;
  console.log('ready');
  for (let i = 0; i < count; i++) {
    const sessionId = `${values.prefix}-${i}`;
    store.recordDecision(makeResult(sessionId, 40 + ((i * 13) % 60)), i % 3 === 0 ? null : tinyJpeg(i));
    // Killed here, the decision is committed but never reported: it must still reach the server exactly once.
    if (i + 1 >= dieAfter) die();
    console.log(`committed ${sessionId}`);
  }
  store.close();
  console.log('done');
} else if (mode === 'sync') {
  const dieAt = values['die-at'] as FaultPoint | undefined;
  let remaining = Number(values['die-n']);
  const client = createSyncClient({
    store,
    serverUrl: values.server!,
    enrolToken: values.token,
    batchSize: Number(values.batch),
    backoff: { baseMs: 20, capMs: 200 },
    requestTimeoutMs: 10_000,
    faults: (point) => {
      if (point === dieAt && --remaining <= 0) die();
    },
  });
  console.log('ready');
  // Drain until nothing is pending, waiting out backoffs (the kiosk's loop does the same).
  for (let round = 0; round < 400; round++) {
    let report;
    try {
      report = await client.drainOnce();
    } catch (err) {
      console.log(`error ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    console.log(
      `report ${JSON.stringify({ accepted: report.accepted, duplicate: report.duplicate, rejected: report.rejected, stoppedBy: report.stoppedBy })}`,
    );
    if (store.stats().pending === 0) break;
    const due = store.nextDueAt();
    await new Promise((r) => setTimeout(r, Math.max(5, Math.min(1000, (due ?? Date.now()) - Date.now()))));
  }
  const stats = store.stats();
  store.close();
  console.log(`done ${JSON.stringify(stats)}`);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
