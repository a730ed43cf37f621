// The background face screening's own rules on SQLite, with a stand-in engine (embeddings chosen per image) and the
// few storage calls it makes: the workflow's face_search_score_threshold decides what counts as a duplicate, and a
// pass reads only decisions it has not read before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LargestFaceDescription } from '../../src/node/engine/api';
import type { FaceEngine, FaceRouteDeps } from '../../src/server/faces/deps';
import { EMBEDDING_DIMENSIONS, FaceIndex } from '../../src/server/faces/face-index';
import { startFaceScreening, type FaceScreeningWorker } from '../../src/server/faces/screening-worker';
import { openSqlite, type SqlDb, type SqlRunner } from '../../src/server/sql';
import type { SessionRow, Storage } from '../../src/server/storage';
import { similarityScore } from '../../src/shared/face-match';

/** A unit vector along axis `i`, tilted towards axis `j` to a chosen cosine. */
function face(i: number, j = i, cosine = 1): Float32Array {
  const v = new Float32Array(EMBEDDING_DIMENSIONS);
  v[i] = cosine;
  if (j !== i) v[j] = Math.sqrt(1 - cosine * cosine);
  return v;
}

interface Setup {
  db: SqlDb;
  index: FaceIndex;
  worker: FaceScreeningWorker;
  /** Every statement the worker ran that read the decisions table, with the rows it got. */
  decisionReads: { sql: string; params: unknown[]; rows: { session_id: string }[] }[];
  addSession(sessionId: string, vendorData: string, faceSearchThreshold: number | null, embedding: Float32Array): Promise<void>;
  status(sessionId: string): Promise<string>;
}

let dir: string;
let setup: Setup;

async function open(): Promise<Setup> {
  const db = openSqlite(join(dir, 'server.sqlite'));
  // Only the columns the worker reads (the server's own schema has more).
  await db.run(
    'CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL UNIQUE, session_ref TEXT NOT NULL, decided_status TEXT NOT NULL)',
  );
  await db.run(
    'CREATE TABLE sessions (session_id TEXT PRIMARY KEY, origin TEXT NOT NULL, status TEXT NOT NULL, settings_json TEXT, vendor_data TEXT)',
  );
  const index = await FaceIndex.open(db);
  const embeddings = new Map<string, Float32Array>();
  const engine = {
    describeLargestFace: async (image: Uint8Array) =>
      ({ embedding: embeddings.get(Buffer.from(image).toString('utf8'))! }) as unknown as LargestFaceDescription,
    analyzeImage: async () => {
      throw new Error('not used by the screening');
    },
  } as unknown as FaceEngine;
  const deps: FaceRouteDeps = { faces: index, engine: async () => engine, now: () => Date.now() };
  const storage = {
    getSession: (id: string) => db.get<SessionRow>('SELECT * FROM sessions WHERE session_id = $1', [id]),
    getImage: async (id: string) => Buffer.from(id, 'utf8'),
    addReviewEntry: async () => undefined,
    setSessionStatus: async (q: SqlRunner, id: string, status: string) => {
      await q.run('UPDATE sessions SET status = $1 WHERE session_id = $2', [status, id]);
    },
  } as unknown as Storage;
  const decisionReads: Setup['decisionReads'] = [];
  const watched: SqlDb = {
    ...db,
    all: async <T>(sql: string, params: unknown[] = []) => {
      const rows = await db.all<T>(sql, params);
      if (/\bFROM decisions\b/.test(sql)) decisionReads.push({ sql, params, rows: rows as { session_id: string }[] });
      return rows;
    },
  };
  // The timer never fires during a test: passes run when the test asks.
  const worker = startFaceScreening({ db: watched, storage, deps, pollMs: 1e9 });
  return {
    db,
    index,
    worker,
    decisionReads,
    async addSession(sessionId, vendorData, threshold, embedding) {
      embeddings.set(sessionId, embedding);
      const settings = threshold === null ? null : JSON.stringify({ face_search: { enabled: true, threshold } });
      await db.run("INSERT INTO sessions (session_id, origin, status, settings_json, vendor_data) VALUES ($1, 'api', 'Approved', $2, $3)", [
        sessionId,
        settings,
        vendorData,
      ]);
      await db.run("INSERT INTO decisions (session_id, session_ref, decided_status) VALUES ($1, $1, 'Approved')", [sessionId]);
    },
    status: async (sessionId) =>
      (await db.get<{ status: string }>('SELECT status FROM sessions WHERE session_id = $1', [sessionId]))!.status,
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'face-screening-'));
  setup = await open();
});

afterEach(async () => {
  await setup.worker.stop();
  await setup.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const warningsOf = async (sessionId: string) =>
  JSON.parse(
    (await setup.db.get<{ warnings_json: string }>('SELECT warnings_json FROM face_screenings WHERE decision_session_id = $1', [
      sessionId,
    ]))!.warnings_json,
  ) as string[];

describe('background face screening', () => {
  it("uses the workflow's face_search_score_threshold: another person's face counts as a duplicate at or above it, not below", async () => {
    await setup.index.enrolFace({
      source: 'session',
      sessionId: 'alice-1',
      vendorData: 'alice',
      status: 'Approved',
      searchable: true,
      embedding: face(0),
    });
    // Bob's face is in the match band (score ~72) against Alice's, but his workflow asks for 90.
    expect(similarityScore(0.75)).toBeGreaterThan(60);
    await setup.addSession('bob-1', 'bob', 90, face(0, 1, 0.75));
    // Carol's is below the possible band (score ~25), and her workflow asks for 20.
    expect(similarityScore(0.5)).toBeLessThan(30);
    await setup.addSession('carol-1', 'carol', 20, face(0, 2, 0.5));
    // Dan's workflow has no face search: the bands decide (~72 is a confirmed duplicate).
    await setup.addSession('dan-1', 'dan', null, face(0, 3, 0.75));
    expect(await setup.worker.runOnce()).toBe(3);

    expect(await warningsOf('bob-1')).toEqual([]);
    expect(await setup.status('bob-1')).toBe('Approved');
    expect(await warningsOf('carol-1')).toEqual(['POSSIBLE_DUPLICATED_FACE']);
    expect(await setup.status('carol-1')).toBe('In Review');
    expect(await warningsOf('dan-1')).toEqual(['DUPLICATED_FACE']);
    expect(await setup.status('dan-1')).toBe('Declined');
  }, 60_000);

  it('reads an already-screened decision once: a later pass reads only decisions after its cursor, by the primary key, and picks up a new one', async () => {
    await setup.addSession('first', 'erin', null, face(10));
    expect(await setup.worker.runOnce()).toBe(1);

    setup.decisionReads.length = 0;
    expect(await setup.worker.runOnce()).toBe(0);
    expect(setup.decisionReads.flatMap((read) => read.rows)).toEqual([]);
    // Before the cursor, every pass asked the database to scan every Approved decision for one without a screening.
    for (const read of setup.decisionReads) {
      const plan = await setup.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${read.sql}`, read.params);
      expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/\bSCAN d\b/);
    }

    await setup.addSession('second', 'frank', null, face(11));
    setup.decisionReads.length = 0;
    expect(await setup.worker.runOnce()).toBe(1);
    expect(setup.decisionReads.flatMap((read) => read.rows.map((row) => row.session_id))).toEqual(['second']);
    expect(await warningsOf('second')).toEqual([]);
  }, 60_000);
});
