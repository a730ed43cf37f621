// `liveness face-bench`: 1:N face search at scale on seeded synthetic embeddings: the server's SQLite exact search
// against pgvector's HNSW index (PGlite), median/p95 latency and recall@k against exact top-k. Not part of the tests.
import { loadavg } from 'node:os';
import { parseCommandArgs } from '../args';
import { CodedError } from '../../shared/errors';
import { tuned } from '../../shared/tunables';
import { benchHnsw, benchSqlite, IDENTITIES_PER_CLUSTER, SyntheticFaces, type HnswResult, type SqliteResult } from '../bench/face-index';
import { HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M } from '../../server/faces/face-index';

export const summary = '1:N face search benchmark: SQLite exact vs pgvector HNSW, latency and recall@k';

/**
 * Above this many faces PGlite's HNSW is not attempted without --hnsw-max-n. Measured limits: PGlite's WASM heap is
 * 2 GiB (its getHeapMax), maintenance_work_mem is refused at 2 GB and above (a 32-bit build), and the graph takes
 * ~4.7 KB a face (pgvector's spill notice after 899 faces in 4 MB), so beyond ~400k faces the build spills to disk.
 */
const DEFAULT_HNSW_MAX_N = 200_000;

const USAGE = `usage: liveness face-bench [--n 100000,1000000] [--queries 50] [--sqlite-queries 10] [--k 10]
                          [--ef-search ${HNSW_EF_SEARCH}] [--seed 7] [--backends sqlite,hnsw] [--hnsw-max-n ${DEFAULT_HNSW_MAX_N}]
                          [--pglite-dir DIR] [--sqlite-stream] [--sqlite-max-faces N] [--json]

  Generates n unit embeddings of 1024 dims (seeded; ${IDENTITIES_PER_CLUSTER} identities per cluster, so neighbours are
  look-alikes, not uniform noise) and probes that are stored faces seen again (cosine ~0.74). Exact top-k in memory is
  the reference. Measures the server's SQLite FaceIndex (exact) and pgvector HNSW in PGlite
  (m ${HNSW_M}, ef_construction ${HNSW_EF_CONSTRUCTION}, each --ef-search given): median/p95 per query and recall@k.
  --hnsw-max-n    largest n for the HNSW run: PGlite is single-threaded WASM and builds the graph in its 32-bit
                  heap; above this the run is skipped and the reason printed (raise it, with --pglite-dir, to try)
  --pglite-dir    keep PGlite's data in a folder (on disk) instead of memory
  --sqlite-stream SQLite searches read the table each time (the path above exactSearchCacheMaxFaces) instead of
                  the in-memory copy
  --sqlite-max-faces  the in-memory copy's cap for this run (default exactSearchCacheMaxFaces, ${tuned('exactSearchCacheMaxFaces')})
  --json          one JSON line per n`;

const list = (value: string, name: string) =>
  value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1)
      throw new CodedError('INVALID_ARGUMENT', `--${name} takes positive integers separated by commas, not "${value}".`);
    return n;
  });

/** The machine's 1-minute load average now: timings on a shared machine mean little without it. */
const load = () => loadavg()[0].toFixed(1);

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      n: { type: 'string', default: '100000,1000000' },
      queries: { type: 'string', default: '50' },
      'sqlite-queries': { type: 'string', default: '10' },
      k: { type: 'string', default: '10' },
      'ef-search': { type: 'string', default: String(HNSW_EF_SEARCH) },
      seed: { type: 'string', default: '7' },
      backends: { type: 'string', default: 'sqlite,hnsw' },
      'hnsw-max-n': { type: 'string', default: String(DEFAULT_HNSW_MAX_N) },
      'pglite-dir': { type: 'string' },
      'sqlite-stream': { type: 'boolean', default: false },
      'sqlite-max-faces': { type: 'string', default: String(tuned('exactSearchCacheMaxFaces')) },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const sizes = list(v.n, 'n');
  const [queries] = list(v.queries, 'queries');
  const [sqliteQueries] = list(v['sqlite-queries'], 'sqlite-queries');
  const [k] = list(v.k, 'k');
  const efSearch = list(v['ef-search'], 'ef-search');
  const [seed] = list(v.seed, 'seed');
  const [hnswMaxN] = list(v['hnsw-max-n'], 'hnsw-max-n');
  const backends = new Set(v.backends.split(',').map((b) => b.trim()));
  for (const b of backends)
    if (b !== 'sqlite' && b !== 'hnsw') throw new CodedError('INVALID_ARGUMENT', `--backends takes sqlite and/or hnsw, not "${b}".`);

  console.log(
    `face-bench ${new Date().toISOString()} seed ${seed}, k ${k}, ${queries} queries (SQLite: ${sqliteQueries}); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const n of sizes) {
    let t = performance.now();
    let data: SyntheticFaces;
    try {
      data = new SyntheticFaces(n, queries, seed);
    } catch (err) {
      console.log(`n ${n}: not run: generating ${n} x 1024 floats failed (${(err as Error).message})`);
      continue;
    }
    const generateS = (performance.now() - t) / 1000;
    t = performance.now();
    const truth = data.queries.map((q) => data.exactTopK(q, k));
    const exactMs = (performance.now() - t) / data.queries.length;
    const targetInTop = truth.filter((top, i) => top.includes(data.queryTargets[i])).length / truth.length;
    console.log(
      `n ${n}: generated in ${generateS.toFixed(1)} s; exact top-${k} in memory ${fmt(exactMs)} a query (mean); the probe's own face is in the exact top-${k} for ${(targetInTop * 100).toFixed(0)}% of probes`,
    );
    let sqlite: SqliteResult | { skipped: string } = { skipped: 'not asked (--backends)' };
    let hnsw: HnswResult | { skipped: string } = { skipped: 'not asked (--backends)' };
    if (backends.has('sqlite')) {
      const loadBefore = load();
      const [maxFaces] = list(v['sqlite-max-faces'], 'sqlite-max-faces');
      sqlite = await benchSqlite(data, truth, k, sqliteQueries, v['sqlite-stream'] ? 0 : maxFaces);
      console.log(
        `  SQLite exact (FaceIndex, ${sqlite.path === 'memory' ? 'in memory' : 'streamed from disk'}): insert ${sqlite.insert_s.toFixed(1)} s; first search ${fmt(sqlite.first_ms)}; ${sqlite.queries} queries: median ${fmt(sqlite.median_ms)}, p95 ${fmt(sqlite.p95_ms)}; recall@${k} ${sqlite.recall_at_k.toFixed(3)} (load average ${loadBefore} before, ${load()} after)`,
      );
    }
    if (backends.has('hnsw')) {
      if (n > hnswMaxN) {
        hnsw = {
          skipped: `n ${n} > --hnsw-max-n ${hnswMaxN}: the HNSW graph needs ~${((n * 4.7e3) / 2 ** 30).toFixed(1)} GiB, and PGlite's single-threaded WASM has a 2 GiB heap and refuses maintenance_work_mem of 2 GB or more, so the build would spill to disk (raise --hnsw-max-n, with --pglite-dir, to try)`,
        };
        console.log(`  pgvector HNSW: NOT RUN: ${hnsw.skipped}`);
      } else {
        try {
          const loadBefore = load();
          hnsw = await benchHnsw(data, truth, k, efSearch, v['pglite-dir']);
          console.log(
            `  pgvector ${hnsw.pgvector} HNSW (PGlite; m ${hnsw.m}, ef_construction ${hnsw.ef_construction}): load ${hnsw.insert_s.toFixed(1)} s, build ${hnsw.build_s.toFixed(1)} s (${hnsw.build_spilled ?? 'in memory'}), index used: ${hnsw.uses_index} (load average ${loadBefore} before, ${load()} after)`,
          );
          for (const row of hnsw.by_ef_search)
            console.log(
              `    ef_search ${row.ef_search}: ${row.queries} queries: median ${fmt(row.median_ms)}, p95 ${fmt(row.p95_ms)}; recall@${k} ${row.recall_at_k.toFixed(3)}`,
            );
        } catch (err) {
          hnsw = { skipped: `failed: ${(err as Error).message}` };
          console.log(`  pgvector HNSW: NOT RUN: ${hnsw.skipped}`);
        }
      }
    }
    if (v.json) console.log(JSON.stringify({ n, k, seed, queries, exact_in_memory_mean_ms: exactMs, sqlite, hnsw }));
  }
  return 0;
}
