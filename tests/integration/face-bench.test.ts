// The 1:N benchmark's own code at a small n (the benchmark itself is `liveness face-bench`, never run by the tests):
// the synthetic embeddings are seeded and clustered, the in-memory exact top-k is right, the SQLite FaceIndex finds
// exactly that top-k, and pgvector's HNSW in PGlite finds most of it.
import { describe, expect, it } from 'vitest';
import { benchHnsw, benchSqlite, IDENTITIES_PER_CLUSTER, recallAtK, SyntheticFaces } from '../../src/cli/bench/face-index';

const N = 1500;
const K = 10;

describe('face-bench code at small n', () => {
  const data = new SyntheticFaces(N, 8, 7);
  const truth = data.queries.map((q) => data.exactTopK(q, K));

  it("is seeded (same seed, same vectors), unit length, clustered, and its exact top-k holds each probe's own face first", () => {
    const again = new SyntheticFaces(N, 8, 7);
    expect(Array.from(again.row(123))).toEqual(Array.from(data.row(123)));
    expect(Array.from(new SyntheticFaces(N, 8, 8).row(123))).not.toEqual(Array.from(data.row(123)));
    const norm = data.row(5).reduce((s, x) => s + x * x, 0);
    expect(norm).toBeCloseTo(1, 4);
    // Clustered: each face has look-alikes far closer than random unit vectors in 1024 dims (~0.03).
    const nearest = (row: number) => {
      let best = -1;
      for (let r = 0; r < N; r++)
        if (r !== row)
          best = Math.max(
            best,
            data.row(r).reduce((s, x, i) => s + x * data.row(row)[i], 0),
          );
      return best;
    };
    expect(N / IDENTITIES_PER_CLUSTER).toBeGreaterThan(1);
    expect(nearest(0)).toBeGreaterThan(0.25);
    truth.forEach((top, i) => expect(top[0]).toBe(data.queryTargets[i]));
    expect(recallAtK(truth, truth)).toBe(1);
    expect(
      recallAtK(
        truth,
        truth.map((t) => t.slice(0, K / 2)),
      ),
    ).toBe(0.5);
  });

  it('SQLite exact through FaceIndex returns the exact top-k', async () => {
    const result = await benchSqlite(data, truth, K, data.queries.length);
    expect(result).toMatchObject({ backend: 'sqlite-exact', queries: data.queries.length, recall_at_k: 1 });
  }, 120_000);

  it('pgvector HNSW in PGlite uses its index and finds most of the exact top-k', async () => {
    const result = await benchHnsw(data, truth, K, [100]);
    expect(result).toMatchObject({
      backend: 'pgvector-hnsw',
      pgvector: '0.8.7',
      m: 16,
      ef_construction: 64,
      uses_index: true,
      build_spilled: null, // the graph was built in maintenance_work_mem
    });
    expect(result.by_ef_search[0].recall_at_k).toBeGreaterThan(0.8);
  }, 600_000);
});
