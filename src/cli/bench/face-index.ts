// The 1:N face-search benchmark: seeded, clustered synthetic embeddings; exact search through the server's SQLite
// FaceIndex against pgvector's HNSW index (in PGlite, the same SQL the server runs on PostgreSQL): per-query latency
// and recall@k of each against exact top-k computed in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDING_DIMENSIONS, FaceIndex, HNSW_EF_CONSTRUCTION, HNSW_M } from '../../server/faces/face-index';
import { openSqlite } from '../../server/sql';
import { tuned } from '../../shared/tunables';

/** Identities per cluster: faces of one cluster share a direction (cosine ~0.36 to each other), like look-alikes. */
export const IDENTITIES_PER_CLUSTER = 100;
/** Weight of the cluster centre in an identity (the rest is the identity's own direction). */
const CLUSTER_WEIGHT = 0.6;
/** Noise of a probe relative to its stored face: cosine(stored, probe) ~ 1/sqrt(1 + 0.9^2) ~ 0.74, a second photo. */
const PROBE_NOISE = 0.9;
/** Rows generated per typed array (1M x 1024 floats does not fit one allocation comfortably). */
const CHUNK_ROWS = 65_536;
/** Rows per binary COPY into PGlite (~20 MB a blob) and per SQLite transaction. */
const PGLITE_COPY_ROWS = 5_000;
const SQLITE_TX_ROWS = 2_000;
/**
 * Memory for the HNSW build: the graph must fit or pgvector goes on building slowly on disk. 1.5 GB holds ~300k faces
 * of 1024 dims; PGlite is 32-bit, so PostgreSQL refuses anything at or above 2 GB (MAX_KILOBYTES).
 */
const HNSW_BUILD_MEMORY = '1536MB';

/** Seeded xorshift32 with Box-Muller gaussians: the same seed gives the same embeddings on any machine. */
export class SeededGaussian {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = (seed >>> 0) || 0x9e3779b9;
  }
  uniform(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (this.state + 0.5) / 4294967296;
  }
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** n stored unit embeddings in clusters, and probes that are stored faces seen again. */
export class SyntheticFaces {
  readonly dims = EMBEDDING_DIMENSIONS;
  private readonly chunks: Float32Array[] = [];
  readonly queries: Float32Array[] = [];
  /** The stored row each probe was made from. */
  readonly queryTargets: number[] = [];

  constructor(readonly n: number, queryCount: number, seed: number) {
    const random = new SeededGaussian(seed);
    const D = this.dims;
    const clusters = Math.max(1, Math.round(n / IDENTITIES_PER_CLUSTER));
    const centres = new Float32Array(clusters * D);
    for (let c = 0; c < clusters; c++) {
      const centre = centres.subarray(c * D, (c + 1) * D);
      for (let i = 0; i < D; i++) centre[i] = random.gaussian();
      normalize(centre);
    }
    const own = new Float32Array(D);
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      const chunk = new Float32Array(rows * D);
      for (let r = 0; r < rows; r++) {
        const c = Math.floor(random.uniform() * clusters);
        for (let i = 0; i < D; i++) own[i] = random.gaussian();
        normalize(own);
        const v = chunk.subarray(r * D, (r + 1) * D);
        for (let i = 0; i < D; i++) v[i] = CLUSTER_WEIGHT * centres[c * D + i] + Math.sqrt(1 - CLUSTER_WEIGHT ** 2) * own[i];
        normalize(v);
      }
      this.chunks.push(chunk);
    }
    for (let q = 0; q < queryCount; q++) {
      const target = Math.floor(random.uniform() * n);
      for (let i = 0; i < D; i++) own[i] = random.gaussian();
      normalize(own);
      const stored = this.row(target);
      this.queries.push(normalize(Float32Array.from(stored, (x, i) => x + PROBE_NOISE * own[i])));
      this.queryTargets.push(target);
    }
  }

  row(index: number): Float32Array {
    const chunk = this.chunks[Math.floor(index / CHUNK_ROWS)];
    const r = index % CHUNK_ROWS;
    return chunk.subarray(r * this.dims, (r + 1) * this.dims);
  }

  /** Exact top-k rows by cosine (the vectors are unit length: the dot product), best first. */
  exactTopK(query: Float32Array, k: number): number[] {
    const best: { row: number; score: number }[] = [];
    const D = this.dims;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      const rows = chunk.length / D;
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        const base = r * D;
        for (let i = 0; i < D; i++) dot += query[i] * chunk[base + i];
        if (best.length === k && dot <= best[k - 1].score) continue;
        let at = best.length;
        while (at > 0 && best[at - 1].score < dot) at--;
        best.splice(at, 0, { row: c * CHUNK_ROWS + r, score: dot });
        if (best.length > k) best.pop();
      }
    }
    return best.map((b) => b.row);
  }
}

export const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
export const p95 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] : NaN);

/** Fraction of the exact top-k found in the answer's top-k. */
export function recallAtK(truth: readonly number[][], found: readonly number[][]): number {
  let hits = 0;
  let total = 0;
  for (let q = 0; q < truth.length; q++) {
    const got = new Set(found[q]);
    hits += truth[q].filter((row) => got.has(row)).length;
    total += truth[q].length;
  }
  return total ? hits / total : NaN;
}

export interface LatencyRecall {
  queries: number;
  median_ms: number;
  p95_ms: number;
  recall_at_k: number;
}

export interface SqliteResult extends LatencyRecall {
  backend: 'sqlite-exact';
  /** 'memory': the in-process copy (exact-cache.ts); 'stream': every search reads the table (n over the cap). */
  path: 'memory' | 'stream';
  insert_s: number;
  /** The first search after the load: it reads every face into memory on the 'memory' path. */
  first_ms: number;
}

export interface HnswResult {
  backend: 'pgvector-hnsw';
  pgvector: string;
  m: number;
  ef_construction: number;
  insert_s: number;
  build_s: number;
  /** pgvector's notice when the graph outgrew maintenance_work_mem (the rest of the build went on disk), else null. */
  build_spilled: string | null;
  uses_index: boolean;
  by_ef_search: (LatencyRecall & { ef_search: number })[];
}

const rowId = (row: number) => `r${String(row).padStart(8, '0')}`;

/** The embedded default: the server's SQLite FaceIndex, exact search over every stored face. */
export async function benchSqlite(
  data: SyntheticFaces,
  truth: number[][],
  k: number,
  queryCount: number,
  maxFaces = tuned('exactSearchCacheMaxFaces'),
): Promise<SqliteResult> {
  const path: SqliteResult['path'] = data.n <= maxFaces ? 'memory' : 'stream';
  const dir = mkdtempSync(join(tmpdir(), 'face-bench-sqlite-'));
  const db = openSqlite(join(dir, 'bench.sqlite'));
  try {
    const index = await FaceIndex.open(db, { exactCacheMaxFaces: maxFaces });
    let t = performance.now();
    for (let start = 0; start < data.n; start += SQLITE_TX_ROWS) {
      await db.tx(async (q) => {
        for (let r = start; r < Math.min(data.n, start + SQLITE_TX_ROWS); r++) {
          const v = data.row(r);
          await q.run("INSERT INTO face_embeddings (uuid, source, session_id, searchable, embedding, created_at) VALUES ($1, 'session', $1, 1, $2, '2026-01-01T00:00:00Z')", [
            rowId(r), Buffer.from(v.buffer, v.byteOffset, v.byteLength),
          ]);
        }
      });
    }
    const insertS = (performance.now() - t) / 1000;
    t = performance.now();
    await index.search(data.queries[0], { limit: k });
    const firstMs = performance.now() - t;
    const ms: number[] = [];
    const found: number[][] = [];
    for (let q = 0; q < Math.min(queryCount, data.queries.length); q++) {
      t = performance.now();
      const matches = await index.search(data.queries[q], { limit: k });
      ms.push(performance.now() - t);
      found.push(matches.map((m) => Number(m.session_id!.slice(1))));
    }
    return { backend: 'sqlite-exact', path, insert_s: insertS, first_ms: firstMs, queries: ms.length, median_ms: median(ms), p95_ms: p95(ms), recall_at_k: recallAtK(truth.slice(0, ms.length), found) };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const literal = (v: Float32Array) => {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i].toFixed(6);
  return `${s}]`;
};

/** COPY's binary signature, flags and header-extension length. */
const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);

/**
 * Rows [start, end) as PostgreSQL binary COPY (id int4, session_id text, embedding_vec vector): pgvector's binary
 * form is int16 dims, int16 unused, then big-endian float4s, so the floats go in exactly, with no text to parse.
 */
export function copyBinaryRows(data: SyntheticFaces, start: number, end: number): Uint8Array<ArrayBuffer> {
  const D = data.dims;
  const idBytes = rowId(0).length;
  const rowBytes = 2 + (4 + 4) + (4 + idBytes) + (4 + 4 + D * 4);
  const out = Buffer.alloc(COPY_BINARY_HEADER.length + (end - start) * rowBytes + 2);
  let o = COPY_BINARY_HEADER.copy(out, 0);
  for (let r = start; r < end; r++) {
    o = out.writeInt16BE(3, o);
    o = out.writeInt32BE(4, o);
    o = out.writeInt32BE(r, o);
    o = out.writeInt32BE(idBytes, o);
    o += out.write(rowId(r), o, 'latin1');
    o = out.writeInt32BE(4 + D * 4, o);
    o = out.writeInt16BE(D, o);
    o = out.writeInt16BE(0, o);
    const v = data.row(r);
    for (let i = 0; i < D; i++) o = out.writeFloatBE(v[i], o);
  }
  out.writeInt16BE(-1, o);
  return out;
}

/** pgvector HNSW in PGlite (WASM PostgreSQL with pgvector), bulk-loaded by binary COPY then indexed, queried as the server does. */
export async function benchHnsw(data: SyntheticFaces, truth: number[][], k: number, efSearch: readonly number[], dataDir?: string): Promise<HnswResult> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const pg = dataDir ? new PGlite(dataDir, { extensions: { vector } }) : new PGlite({ extensions: { vector } });
  try {
    await pg.exec('CREATE EXTENSION IF NOT EXISTS vector');
    const version = (await pg.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0]?.extversion ?? '?';
    await pg.exec(`CREATE TABLE face_embeddings (id INTEGER PRIMARY KEY, searchable INTEGER NOT NULL DEFAULT 1, session_id TEXT, embedding_vec vector(${data.dims}))`);
    let t = performance.now();
    for (let start = 0; start < data.n; start += PGLITE_COPY_ROWS) {
      const blob = new Blob([copyBinaryRows(data, start, Math.min(data.n, start + PGLITE_COPY_ROWS))]);
      await pg.query("COPY face_embeddings (id, session_id, embedding_vec) FROM '/dev/blob' WITH (FORMAT binary)", [], { blob });
    }
    const insertS = (performance.now() - t) / 1000;
    await pg.exec(`SET maintenance_work_mem = '${HNSW_BUILD_MEMORY}'`);
    t = performance.now();
    let spilled: string | null = null;
    await pg.query(
      `CREATE INDEX face_embeddings_hnsw ON face_embeddings USING hnsw (embedding_vec vector_cosine_ops) WITH (m = ${HNSW_M}, ef_construction = ${HNSW_EF_CONSTRUCTION})`,
      [],
      { onNotice: (notice) => void (notice.message?.includes('maintenance_work_mem') && (spilled = notice.message)) },
    );
    const buildS = (performance.now() - t) / 1000;
    await pg.exec('ANALYZE face_embeddings');
    // The server's query shape (face-index.ts nearestByHnsw): filtered, ordered by cosine distance, iterative scan.
    const sql = `SELECT id, 1 - (embedding_vec <=> $1::vector) AS cosine FROM face_embeddings WHERE searchable = 1 ORDER BY embedding_vec <=> $1::vector LIMIT ${k}`;
    await pg.exec('SET hnsw.iterative_scan = relaxed_order');
    const plan = await pg.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [literal(data.queries[0])]);
    const byEf: HnswResult['by_ef_search'] = [];
    for (const ef of efSearch) {
      await pg.exec(`SET hnsw.ef_search = ${ef}`);
      const ms: number[] = [];
      const found: number[][] = [];
      for (const query of data.queries) {
        t = performance.now();
        const result = await pg.query<{ id: number }>(sql, [literal(query)]);
        ms.push(performance.now() - t);
        found.push(result.rows.map((r) => Number(r.id)));
      }
      byEf.push({ ef_search: ef, queries: ms.length, median_ms: median(ms), p95_ms: p95(ms), recall_at_k: recallAtK(truth, found) });
    }
    return {
      backend: 'pgvector-hnsw', pgvector: version, m: HNSW_M, ef_construction: HNSW_EF_CONSTRUCTION, insert_s: insertS, build_s: buildS, build_spilled: spilled,
      uses_index: plan.rows.some((r) => r['QUERY PLAN'].includes('face_embeddings_hnsw')), by_ef_search: byEf,
    };
  } finally {
    await pg.close();
  }
}
