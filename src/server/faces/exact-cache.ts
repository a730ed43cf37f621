// SQLite's exact face search in memory: every searchable embedding in one contiguous Float32Array, kept in step with
// face_embeddings through a change counter that triggers bump on every insert, delete and relevant update (migration
// 3 in face-index.ts). The counter lives in the database, so a write by any connection or process is seen: each
// search reads it, appends the rows inserted since (by rowid) or reloads everything after a delete, and re-reads it
// afterwards to retry if a write landed in between. The server uses one SQLite connection in one process, but a CLI
// or a second process on the same file stays correct too.
import type { SqlDb } from '../sql';

/** face_embeddings' change counters (face_index_changes, one row). */
interface ChangeCounters {
  inserts: number;
  removals: number;
}

interface CachedRow {
  rowid: number;
  uuid: string;
  session_id: string | null;
  searchable: number;
  embedding: Uint8Array | null;
}

/** Times a search re-reads when writes keep landing during its read, before it streams the table instead. */
const CONSISTENT_READ_TRIES = 3;
/** Rows read per statement while loading (bounds the driver's temporary arrays, not the cache). */
const LOAD_PAGE_ROWS = 5_000;

const COLUMNS = 'rowid AS rowid, uuid, session_id, searchable, CASE WHEN searchable = 1 THEN embedding END AS embedding';

export class ExactSearchCache {
  private vectors: Float32Array;
  private uuids: string[] = [];
  private sessions: (string | null)[] = [];
  private counters: ChangeCounters | null = null;
  private lastRowid = 0;
  /** Set when the searchable faces outgrew exactSearchCacheMaxFaces: searches stream from disk instead. */
  private overCap = false;

  constructor(
    private readonly db: SqlDb,
    private readonly dims: number,
    private readonly maxFaces: number,
  ) {
    this.vectors = new Float32Array(0);
  }

  get size(): number {
    return this.uuids.length;
  }

  /**
   * Brings the cache up to date with the table and calls `visit` for each searchable face (its uuid, session and
   * dot product with `query`). False when the cache cannot serve (over its cap, or writes kept racing the read).
   */
  async scan(query: Float32Array, visit: (uuid: string, sessionId: string | null, cosine: number) => void): Promise<boolean> {
    if (!(await this.refresh())) return false;
    const D = this.dims;
    const v = this.vectors;
    for (let r = 0; r < this.uuids.length; r++) {
      // Same order of operations as dotBytes: identical scores, so identical answers to the streaming path.
      let sum = 0;
      const base = r * D;
      for (let i = 0; i < D; i++) sum += query[i] * v[base + i];
      visit(this.uuids[r], this.sessions[r], sum);
    }
    return true;
  }

  private readCounters(): Promise<ChangeCounters | undefined> {
    return this.db.get<ChangeCounters>('SELECT inserts, removals FROM face_index_changes WHERE id = 1');
  }

  private async refresh(): Promise<boolean> {
    for (let attempt = 0; attempt < CONSISTENT_READ_TRIES; attempt++) {
      const before = await this.readCounters();
      if (!before) return false;
      const cached = this.counters;
      const same = cached && cached.inserts === before.inserts && cached.removals === before.removals;
      if (same) return !this.overCap;
      // Over the cap, inserts only add faces: keep streaming without reading the table again.
      if (this.overCap && cached && cached.removals === before.removals) {
        this.counters = before;
        return false;
      }
      const appendOnly = cached !== null && cached.removals === before.removals && before.inserts > cached.inserts && !this.overCap;
      const complete = appendOnly ? await this.append(before.inserts - cached.inserts) : await this.reload();
      const after = await this.readCounters();
      if (after && after.inserts === before.inserts && after.removals === before.removals) {
        if (complete) {
          this.counters = before;
          return !this.overCap;
        }
        // The rows since the last read did not add up (e.g. VACUUM renumbered rowids): start again from scratch.
        this.counters = null;
        continue;
      }
      this.counters = null; // a write landed during the read: read again
    }
    return false;
  }

  /** Appends the rows inserted since the last read; false when there were not exactly `expected` of them. */
  private async append(expected: number): Promise<boolean> {
    const rows = await this.db.all<CachedRow>(`SELECT ${COLUMNS} FROM face_embeddings WHERE rowid > $1 ORDER BY rowid`, [this.lastRowid]);
    if (rows.length !== expected) return false;
    this.add(rows);
    return true;
  }

  private async reload(): Promise<boolean> {
    this.uuids = [];
    this.sessions = [];
    this.lastRowid = 0;
    this.overCap = false;
    for (;;) {
      const rows = await this.db.all<CachedRow>(`SELECT ${COLUMNS} FROM face_embeddings WHERE rowid > $1 ORDER BY rowid LIMIT $2`, [
        this.lastRowid,
        LOAD_PAGE_ROWS,
      ]);
      this.add(rows);
      if (this.overCap || rows.length < LOAD_PAGE_ROWS) return true;
    }
  }

  private add(rows: CachedRow[]): void {
    for (const row of rows) {
      this.lastRowid = Math.max(this.lastRowid, Number(row.rowid));
      if (Number(row.searchable) !== 1 || !row.embedding) continue;
      if (this.uuids.length >= this.maxFaces) {
        this.overCap = true;
        this.vectors = new Float32Array(0); // the memory goes back; searches stream until a reload fits again
        this.uuids = [];
        this.sessions = [];
        return;
      }
      const at = this.uuids.length * this.dims;
      if (at + this.dims > this.vectors.length) {
        const grown = new Float32Array(Math.max(this.dims * 1024, this.vectors.length * 2));
        grown.set(this.vectors);
        this.vectors = grown;
      }
      const bytes = row.embedding;
      // Stored little-endian float32; a copy through a byte view works at any alignment.
      new Uint8Array(this.vectors.buffer, at * 4, this.dims * 4).set(bytes.subarray(0, this.dims * 4));
      this.uuids.push(row.uuid);
      this.sessions.push(row.session_id);
    }
  }
}
