// The crash/fault scenario behind tests/integration/fault-crash.test.ts and tools/fault-report.ts: SIGKILL the
// writer, the sync client and the server at seeded points, inject 500/503/429 through a proxy, then count.
import { createServer as createHttpServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../node/store/store';
import { cliPath, freePort, repoRoot, seededRandom, spawnTs, waitForLine, type ChildRun } from './fault-support';
import { spawn } from 'node:child_process';
import { asyncHandler } from './http';

export interface FaultFigures {
  seed: number;
  crashPointsTried: number;
  writerKills: number;
  syncKills: number;
  serverKills: number;
  injected: { error500AfterCommit: number; error503RetryAfter: number; error429RetryAfter: number; upstreamDown: number };
  decisionsReportedCommitted: number;
  decisionsInLocalStore: number;
  decisionsAtServer: number;
  decisionsLost: number;
  duplicatesAtServer: number;
  duplicateAnswers: number;
  localChainIntact: boolean;
  pendingAfterFinalSync: number;
  rejected: number;
  auditFlags: number;
}

export interface FaultScenarioOptions {
  dir: string;
  seed?: number;
  writerRuns?: number;
  syncRuns?: number;
  serverKillEvery?: number;
  log?: (line: string) => void;
}

const WRITER = resolve(repoRoot, 'src/testkit/fault-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ServerChild {
  run: ChildRun;
  stop(): Promise<void>;
}

async function startServerChild(port: number, dbPath: string): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    [cliPath, 'server', '--port', String(port), '--db', dbPath, '--api-key', 'fault-key', '--enrol-token', 'fault-token'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run: ChildRun = {
    child,
    stdout: [],
    stderr: '',
    exit: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))),
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => run.stdout.push(...c.split('\n')));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (run.stderr += c));
  await waitForLine(run, /listening on/);
  return {
    run,
    async stop() {
      child.kill('SIGKILL');
      await run.exit;
    },
  };
}

/** A proxy in front of the server that, on a seeded schedule, answers 503/429 with Retry-After, or 500 after the server committed. */
function startFaultProxy(upstreamPort: number, random: () => number, injected: FaultFigures['injected']) {
  let faultRate = 0.4;
  const server: Server = createHttpServer(
    asyncHandler(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const roll = random();
      const isBatch = req.url === '/v1/decisions';
      if (isBatch && roll < faultRate * 0.25) {
        injected.error503RetryAfter++;
        res
          .writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' })
          .end('{"error":{"code":"SERVER_ERROR","message":"injected 503"}}');
        return;
      }
      if (isBatch && roll < faultRate * 0.5) {
        injected.error429RetryAfter++;
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': new Date().toUTCString() })
          .end('{"error":{"code":"RATE_LIMITED","message":"injected 429"}}');
        return;
      }
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const upstream = await fetch(`http://127.0.0.1:${upstreamPort}${req.url}`, {
          method: req.method,
          headers,
          body: body.length ? body : undefined,
        });
        const text = Buffer.from(await upstream.arrayBuffer());
        if (isBatch && roll < faultRate) {
          // The server stored the batch; the kiosk never hears so: it must re-send and get "duplicate".
          injected.error500AfterCommit++;
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end('{"error":{"code":"SERVER_ERROR","message":"injected 500 after commit"}}');
          return;
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
      } catch {
        injected.upstreamDown++;
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"NETWORK_ERROR","message":"upstream down"}}');
      }
    }),
  );
  return {
    server,
    setFaultRate: (rate: number) => {
      faultRate = rate;
    },
  };
}

export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultFigures> {
  const seed = options.seed ?? 20250611;
  const random = seededRandom(seed);
  const log = options.log ?? (() => undefined);
  const queuePath = join(options.dir, 'kiosk.sqlite');
  const serverDb = join(options.dir, 'server.sqlite');
  const figures: FaultFigures = {
    seed,
    crashPointsTried: 0,
    writerKills: 0,
    syncKills: 0,
    serverKills: 0,
    injected: { error500AfterCommit: 0, error503RetryAfter: 0, error429RetryAfter: 0, upstreamDown: 0 },
    decisionsReportedCommitted: 0,
    decisionsInLocalStore: 0,
    decisionsAtServer: 0,
    decisionsLost: 0,
    duplicatesAtServer: 0,
    duplicateAnswers: 0,
    localChainIntact: false,
    pendingAfterFinalSync: -1,
    rejected: 0,
    auditFlags: 0,
  };
  const reported = new Set<string>();

  // Phase 1: the writer is killed while recording (after k commits, or at a seeded moment).
  const writerRuns = options.writerRuns ?? 12;
  for (let r = 0; r < writerRuns; r++) {
    const selfKill = r % 2 === 0;
    const args = ['writer', '--db', queuePath, '--prefix', `w${r}`, '--count', '30'];
    if (selfKill) args.push('--die-after', String(1 + Math.floor(random() * 30)));
    const child = spawnTs(WRITER, args);
    await waitForLine(child, /^ready/);
    if (!selfKill) {
      await sleep(Math.floor(random() * 60));
      child.child.kill('SIGKILL');
    }
    const exit = await child.exit;
    if (exit.signal === 'SIGKILL') figures.writerKills++;
    for (const line of child.stdout) if (line.startsWith('committed ')) reported.add(line.slice(10).trim());
    log(`writer run ${r}: ${selfKill ? 'self-kill' : 'parent kill'} -> ${exit.signal ?? exit.code}, ${reported.size} reported so far`);
  }

  // Phase 2: sync through a faulty proxy; the sync client and the server are killed at seeded points.
  const serverPort = await freePort();
  let server = await startServerChild(serverPort, serverDb);
  const proxy = startFaultProxy(serverPort, random, figures.injected);
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', () => r()));
  const proxyUrl = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
  const points = ['before-send', 'after-send', 'after-ack'] as const;
  const syncRuns = options.syncRuns ?? 16;
  const serverKillEvery = options.serverKillEvery ?? 3;
  const collectDuplicates = (child: ChildRun) => {
    for (const line of child.stdout) {
      if (line.startsWith('report ')) figures.duplicateAnswers += (JSON.parse(line.slice(7)) as { duplicate: number }).duplicate;
    }
  };
  try {
    for (let r = 0; r < syncRuns; r++) {
      // New decisions keep arriving between syncs, as at a real kiosk.
      const writer = spawnTs(WRITER, ['writer', '--db', queuePath, '--prefix', `s${r}`, '--count', '4']);
      await writer.exit;
      for (const line of writer.stdout) if (line.startsWith('committed ')) reported.add(line.slice(10).trim());

      const selfKill = r % 2 === 0;
      const args = [
        'sync',
        '--db',
        queuePath,
        '--server',
        proxyUrl,
        '--token',
        'fault-token',
        '--batch',
        String(3 + Math.floor(random() * 8)),
      ];
      if (selfKill) args.push('--die-at', points[Math.floor(random() * points.length)], '--die-n', String(1 + Math.floor(random() * 4)));
      const child = spawnTs(WRITER, args);
      await waitForLine(child, /^ready/);
      const killServer = r % serverKillEvery === serverKillEvery - 1;
      if (killServer) {
        await sleep(Math.floor(random() * 150));
        await server.stop();
        figures.serverKills++;
        server = await startServerChild(serverPort, serverDb);
      }
      if (!selfKill) {
        await sleep(Math.floor(random() * 300));
        child.child.kill('SIGKILL');
      }
      const exit = await child.exit;
      if (exit.signal === 'SIGKILL') figures.syncKills++;
      collectDuplicates(child);
      log(`sync run ${r}: ${selfKill ? 'self-kill' : 'parent kill'}${killServer ? ' + server kill' : ''} -> ${exit.signal ?? exit.code}`);
    }
    // Phase 3: the network heals; one clean sync must finish the job.
    proxy.setFaultRate(0);
    const final = spawnTs(WRITER, ['sync', '--db', queuePath, '--server', proxyUrl, '--token', 'fault-token', '--batch', '25']);
    const exit = await final.exit;
    if (exit.code !== 0) throw new Error(`final sync failed: ${final.stderr.slice(-2000)}`);
    collectDuplicates(final);
  } finally {
    await server.stop();
    await new Promise<void>((r) => proxy.server.close(() => r()));
  }
  figures.crashPointsTried = figures.writerKills + figures.syncKills + figures.serverKills;

  // Count.
  const store = openStore({ path: queuePath });
  try {
    const local = store.db.prepare('SELECT session_id FROM decisions').pluck().all() as string[];
    figures.decisionsInLocalStore = local.length;
    figures.decisionsReportedCommitted = reported.size;
    figures.localChainIntact = store.verifyChain().ok;
    const stats = store.stats();
    figures.pendingAfterFinalSync = stats.pending;
    figures.rejected = stats.rejected;
    const serverRows = new Database(serverDb, { readonly: true });
    try {
      const atServer = serverRows.prepare('SELECT session_id FROM decisions').pluck().all() as string[];
      figures.decisionsAtServer = atServer.length;
      figures.duplicatesAtServer = atServer.length - new Set(atServer).size;
      const serverSet = new Set(atServer);
      const localSet = new Set(local);
      // Lost: reported committed but not on the device, or on the device but not at the server.
      figures.decisionsLost = [...reported].filter((s) => !localSet.has(s)).length + local.filter((s) => !serverSet.has(s)).length;
      figures.auditFlags = (serverRows.prepare('SELECT COUNT(*) FROM audit_events').pluck().get() as number) ?? 0;
    } finally {
      serverRows.close();
    }
  } finally {
    store.close();
  }
  return figures;
}
