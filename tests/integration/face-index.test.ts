// The server's face index on both databases: SQLite (the embedded default) and real PostgreSQL (TEST_DATABASE_URL,
// a fresh schema; exact search unless the server has pgvector). Lists, entries, enrolment, search order, erasure.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS, FaceIndex } from '../../src/server/faces/face-index';
import { screenFace } from '../../src/server/faces/screening';
import { openPostgres, openSqlite, type SqlDb } from '../../src/server/sql';
import { startPgliteVector } from './pglite-vector-support';

/** A unit vector along axis `i`, tilted towards axis `j` to a chosen cosine (deterministic test faces). */
function face(i: number, j = i, cosine = 1): Float32Array {
  const v = new Float32Array(EMBEDDING_DIMENSIONS);
  v[i] = cosine;
  if (j !== i) v[j] = Math.sqrt(1 - cosine * cosine);
  return v;
}

function contract(name: string, open: () => Promise<{ db: SqlDb; cleanup: () => Promise<void> }>, backend: 'exact' | 'hnsw') {
  describe(`face index on ${name}`, () => {
    it('keeps lists and entries, ranks faces, raises the screening warnings, and erases what is deleted', async () => {
      const { db, cleanup } = await open();
      try {
        const index = await FaceIndex.open(db);
        expect(index.backend).toBe(backend);
        const again = await FaceIndex.open(db); // a second instance on the same database: migrations run once
        expect((await again.listLists({ limit: 10, offset: 0 })).count).toBe(1);
        const blocklist = await index.systemBlocklist();
        const entry = await index.createEntry(blocklist.uuid, { display_label: 'case 1', embedding: face(0) });
        await index.enrolFace({
          source: 'session',
          sessionId: 's-1',
          vendorData: 'alice',
          status: 'Approved',
          searchable: true,
          embedding: face(1),
        });
        await index.enrolFace({
          source: 'api_request',
          sessionId: 'r-1',
          vendorData: 'bob',
          status: 'Approved',
          searchable: false,
          embedding: face(1),
        });

        const hits = await index.search(face(0, 2, 0.99));
        expect(hits[0]).toMatchObject({ source: 'list_entry', list_type: 'blocklist', entry_uuid: entry.uuid });
        expect(hits[0].similarity).toBeGreaterThan(90);
        expect(hits.some((h) => h.session_id === 'r-1')).toBe(false); // not searchable

        const blocked = await screenFace(index, face(0, 2, 0.99), { vendorData: 'carol' });
        expect(blocked).toMatchObject({ warnings: ['FACE_IN_BLOCKLIST'], statusOverride: 'Declined' });
        const duplicate = await screenFace(index, face(1, 3, 0.62), { vendorData: 'mallory' });
        expect(duplicate).toMatchObject({ warnings: ['POSSIBLE_DUPLICATED_FACE'], statusOverride: 'In Review' });
        expect((await screenFace(index, face(1), { vendorData: 'alice' })).warnings).toEqual([]);
        expect((await screenFace(index, face(1), { sessionId: 's-1' })).warnings).toEqual([]);

        await index.deleteEntry(blocklist.uuid, entry.uuid);
        expect(await db.all('SELECT uuid FROM face_embeddings WHERE list_entry_uuid = $1', [entry.uuid])).toEqual([]);
        expect(await index.eraseSession('s-1')).toBe(1);
        expect(await index.countFaces()).toBe(1);
        await expect(index.deleteList(blocklist.uuid)).rejects.toMatchObject({ code: 'FORBIDDEN' });
        await expect(index.createList({ name: 'x', list_type: 'blocklist', entry_type: 'face' })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
        await expect(index.createEntry(blocklist.uuid, { value: 'not a face' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        console.log(`face index on ${name}: vector search ${index.vectorSearch ? 'pgvector HNSW' : 'exact'}`);
      } finally {
        await cleanup();
      }
    }, 300_000); // PGlite's WASM start-up alone can take a minute on a loaded machine
  });
}

contract(
  'SQLite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-index-'));
    const db = openSqlite(join(dir, 'faces.sqlite'));
    return {
      db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  'exact',
);

// pgvector: PGlite with pgvector behind pglite-socket, through the same `pg` driver and SQL as a fleet's PostgreSQL.
contract(
  'PostgreSQL with pgvector (PGlite over the wire protocol)',
  async () => {
    const pglite = await startPgliteVector();
    const db = openPostgres({ connectionString: pglite.url });
    return {
      db,
      cleanup: async () => {
        await db.close();
        await pglite.stop();
      },
    };
  },
  'hnsw',
);

const url = process.env.TEST_DATABASE_URL;
if (url) {
  contract(
    'PostgreSQL',
    async () => {
      const schema = `faces_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const db = openPostgres({ connectionString: url, schema });
      return {
        db,
        async cleanup() {
          await db.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        },
      };
    },
    'exact',
  ); // this machine's PostgreSQL 15 has no pgvector: the exact fallback
} else {
  describe.skip('face index on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}

describe('SQLite exact search in memory (exact-cache.ts)', () => {
  it('reads no stored face again while nothing changed, sees another connection’s inserts, deletes and updates, and answers as the streaming scan does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-cache-'));
    const file = join(dir, 'faces.sqlite');
    const server = openSqlite(file);
    const other = openSqlite(file); // another process on the same file: its writes reach the server only through the database
    let embeddingsRead = 0;
    const counted: SqlDb = {
      ...server,
      all: async <T>(sql: string, params?: unknown[]) => {
        const rows = await server.all<T>(sql, params);
        if (/\bembedding\b/.test(sql)) embeddingsRead += rows.filter((r) => (r as { embedding?: unknown }).embedding).length;
        return rows;
      },
    };
    try {
      const index = await FaceIndex.open(counted);
      const writer = await FaceIndex.open(other);
      const streamed = await FaceIndex.open(other, { exactCacheMaxFaces: 0 });
      const enrol = (by: FaceIndex, sessionId: string, embedding: Float32Array) =>
        by.enrolFace({ source: 'session', sessionId, vendorData: sessionId, status: 'Approved', searchable: true, embedding });
      for (let i = 0; i < 20; i++) await enrol(index, `s-${i}`, face(i, i + 1, 0.9));
      const probe = face(5, 40, 0.8);
      const first = await index.search(probe, { limit: 3 });
      expect(first[0].session_id).toBe('s-5');
      expect(embeddingsRead).toBe(20);

      embeddingsRead = 0;
      expect(await index.search(probe, { limit: 3 })).toEqual(first);
      expect(embeddingsRead).toBe(0); // before the cache every search read all 20 again

      await enrol(writer, 'closer', face(5, 40, 0.95)); // another connection inserts a closer face
      const afterInsert = await index.search(probe, { limit: 3 });
      expect(afterInsert[0].session_id).toBe('closer');
      expect(embeddingsRead).toBe(1); // only the new row

      await other.run("UPDATE face_embeddings SET searchable = 0 WHERE session_id = 'closer'");
      expect((await index.search(probe, { limit: 3 }))[0].session_id).toBe('s-5');
      await writer.eraseSession('s-5');
      const afterDelete = await index.search(probe, { limit: 3 });
      expect(afterDelete.map((m) => m.session_id)).not.toContain('s-5');
      expect(afterDelete).toHaveLength(3); // the erased face does not hold a place in the top 3

      // The same answers, scores included, as reading every face from disk.
      for (const query of [probe, face(9, 10, 0.7), face(100)])
        expect(await index.search(query, { limit: 5 })).toEqual(await streamed.search(query, { limit: 5 }));
    } finally {
      await server.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('SQLite exact search: the memory cap and a database from before the in-memory copy', () => {
  it('streams while the searchable faces exceed the cap and loads them once they fit; an upgraded database counts the faces it had', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-cap-'));
    const file = join(dir, 'faces.sqlite');
    const db = openSqlite(file);
    let embeddingsRead = 0;
    const counted: SqlDb = {
      ...db,
      all: async <T>(sql: string, params?: unknown[]) => {
        const rows = await db.all<T>(sql, params);
        if (/\bembedding\b/.test(sql)) embeddingsRead += rows.filter((r) => (r as { embedding?: unknown }).embedding).length;
        return rows;
      },
    };
    const enrol = (index: FaceIndex, sessionId: string, axis: number) =>
      index.enrolFace({ source: 'session', sessionId, status: 'Approved', searchable: true, embedding: face(axis) });
    const readsOf = async (index: FaceIndex) => {
      embeddingsRead = 0;
      await index.search(face(0), { limit: 3 });
      return embeddingsRead;
    };
    try {
      // A database as it was before migration 3: faces stored, no counters, no triggers.
      const before = await FaceIndex.open(db);
      for (const statement of [
        'DROP TRIGGER face_embeddings_inserted',
        'DROP TRIGGER face_embeddings_deleted',
        'DROP TRIGGER face_embeddings_updated',
        'DROP TABLE face_index_changes',
        'DELETE FROM face_schema_migrations WHERE version = 3',
      ])
        await db.run(statement);
      for (let i = 0; i < 3; i++) await enrol(before, `s-${i}`, i);

      const capped = await FaceIndex.open(counted, { exactCacheMaxFaces: 2 });
      expect(await db.get('SELECT searchable FROM face_index_changes')).toEqual({ searchable: 3 });
      expect(await readsOf(capped)).toBe(3); // over the cap: streamed
      expect(await readsOf(capped)).toBe(3); // and streamed again, nothing kept
      await capped.eraseSession('s-2');
      expect(await readsOf(capped)).toBe(2); // fits now: loaded once
      expect(await readsOf(capped)).toBe(0);
      expect((await capped.search(face(1), { limit: 1 }))[0]).toMatchObject({ session_id: 's-1', similarity: 100 });
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
