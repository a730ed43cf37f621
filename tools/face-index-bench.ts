// 1:N face search at scale on synthetic embeddings: exact search in memory and through the server's SQLite FaceIndex
// (latency), and pgvector's HNSW index in PGlite against exact search (latency, recall@5) when the installed PGlite
// ships pgvector (0.5.x does not: the tool then says so and measures the exact paths only).
// Usage: npx tsx tools/face-index-bench.ts [--n 100000] [--queries 50] [--sqlite-queries 5] [--ef-search 100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { EMBEDDING_DIMENSIONS, FaceIndex, HNSW_EF_CONSTRUCTION, HNSW_M } from '../src/server/faces/face-index';
import { openSqlite } from '../src/server/sql';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '50' },
    'sqlite-queries': { type: 'string', default: '5' },
    'ef-search': { type: 'string', default: '100' },
    seed: { type: 'string', default: '7' },
  },
});
const N = Number(values.n);
const QUERIES = Number(values.queries);
const SQLITE_QUERIES = Number(values['sqlite-queries']);
const EF_SEARCH = Number(values['ef-search']);
const K = 5;
const D = EMBEDDING_DIMENSIONS;

// Deterministic generator: identities are random unit vectors; a query is a stored face seen again (the stored vector
// plus noise of the size two photos of one person differ by, cosine ~0.65 as measured by face-eval).
let state = Number(values.seed) >>> 0;
const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
const randomUnit = () => unit(Float32Array.from({ length: D }, gaussian));
const NOISE = 0.9; // |noise| relative to the unit vector: cosine(stored, query) ~ 1/sqrt(1 + NOISE^2) ~ 0.74

const started = performance.now();
const stored: Float32Array[] = Array.from({ length: N }, randomUnit);
const queries = Array.from({ length: QUERIES }, () => {
  const target = stored[Math.floor(uniform() * N)];
  const noise = randomUnit();
  return unit(Float32Array.from(target, (x, i) => x + NOISE * noise[i]));
});
const literal = (v: Float32Array) => `[${Array.from(v, (x) => x.toPrecision(6)).join(',')}]`;
console.log(`generated ${N} embeddings of ${D} dims and ${QUERIES} queries in ${((performance.now() - started) / 1000).toFixed(1)} s`);

function exactTopK(q: Float32Array): number[] {
  const scores = new Float32Array(N);
  for (let r = 0; r < N; r++) {
    const v = stored[r];
    let dot = 0;
    for (let i = 0; i < D; i++) dot += q[i] * v[i];
    scores[r] = dot;
  }
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a]).slice(0, K);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

// Exact search in memory (what the SQLite and plain-PostgreSQL paths compute, without the row reads).
const exactMs: number[] = [];
const truth = queries.map((q) => {
  const t = performance.now();
  const top = exactTopK(q);
  exactMs.push(performance.now() - t);
  return top;
});

// pgvector HNSW in PGlite, when the installed PGlite ships pgvector.
async function loadVector(): Promise<Extension | null> {
  try {
    const specifier = '@electric-sql/pglite/vector';
    return ((await import(specifier)) as { vector: Extension }).vector;
  } catch {
    return null;
  }
}
const vector = await loadVector();
let t = performance.now();
let hnsw: Record<string, unknown> = { available: false, why: 'the installed @electric-sql/pglite has no pgvector extension (no @electric-sql/pglite/vector export)' };
if (vector) {
  const pg = new PGlite({ extensions: { vector } });
  await pg.exec('CREATE EXTENSION IF NOT EXISTS vector');
  await pg.exec(`CREATE TABLE faces (id INTEGER PRIMARY KEY, embedding vector(${D}))`);
  t = performance.now();
  const BATCH = 200;
  for (let start = 0; start < N; start += BATCH) {
    const rows = stored.slice(start, start + BATCH).map((v, i) => `(${start + i}, '${literal(v)}')`);
    await pg.exec(`INSERT INTO faces (id, embedding) VALUES ${rows.join(',')}`);
  }
  const insertS = (performance.now() - t) / 1000;
  t = performance.now();
  await pg.exec(`CREATE INDEX faces_hnsw ON faces USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW_M}, ef_construction = ${HNSW_EF_CONSTRUCTION})`);
  const buildS = (performance.now() - t) / 1000;
  await pg.exec(`SET hnsw.ef_search = ${EF_SEARCH}`);
  const hnswMs: number[] = [];
  let hits = 0;
  for (let qi = 0; qi < queries.length; qi++) {
    t = performance.now();
    const result = await pg.query<{ id: number }>(`SELECT id FROM faces ORDER BY embedding <=> $1::vector LIMIT ${K}`, [literal(queries[qi])]);
    hnswMs.push(performance.now() - t);
    const got = new Set(result.rows.map((r) => Number(r.id)));
    hits += truth[qi].filter((id) => got.has(id)).length;
  }
  const plan = await pg.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM faces ORDER BY embedding <=> $1::vector LIMIT ${K}`, [literal(queries[0])]);
  await pg.close();
  hnsw = {
    available: true, m: HNSW_M, ef_construction: HNSW_EF_CONSTRUCTION, ef_search: EF_SEARCH, insert_s: insertS, build_s: buildS,
    uses_index: plan.rows.some((r) => /faces_hnsw/.test(r['QUERY PLAN'])), ms: { median: median(hnswMs), p95: p95(hnswMs) }, recall_at_5: hits / (queries.length * K),
  };
}

// The embedded default: the server's SQLite through FaceIndex (exact search over every stored row).
const dir = mkdtempSync(join(tmpdir(), 'face-bench-'));
const db = openSqlite(join(dir, 'bench.sqlite'));
const index = await FaceIndex.open(db);
t = performance.now();
for (let start = 0; start < N; start += 1000) {
  await db.tx(async (q) => {
    for (let r = start; r < Math.min(N, start + 1000); r++) {
      const v = stored[r];
      await q.run('INSERT INTO face_embeddings (uuid, source, session_id, searchable, embedding, created_at) VALUES ($1, $2, $3, 1, $4, $5)', [
        `s${r}`, 'session', `s${r}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength), '2026-01-01T00:00:00Z',
      ]);
    }
  });
}
const sqliteInsertS = (performance.now() - t) / 1000;
const sqliteMs: number[] = [];
let sqliteHits = 0;
for (let qi = 0; qi < Math.min(SQLITE_QUERIES, queries.length); qi++) {
  t = performance.now();
  const matches = await index.search(queries[qi], { limit: K });
  sqliteMs.push(performance.now() - t);
  sqliteHits += matches.filter((m) => truth[qi].includes(Number(m.session_id!.slice(1)))).length;
}
await db.close();
rmSync(dir, { recursive: true, force: true });

const row = {
  n: N,
  dims: D,
  queries: QUERIES,
  k: K,
  exact_in_memory_ms: { median: median(exactMs), p95: p95(exactMs) },
  pgvector_hnsw: hnsw,
  sqlite_exact_faceindex: { insert_s: sqliteInsertS, queries: sqliteMs.length, ms: { median: median(sqliteMs), p95: p95(sqliteMs) }, recall_at_5: sqliteHits / (sqliteMs.length * K) },
};
console.log(JSON.stringify(row));
