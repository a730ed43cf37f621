// SQLite's exact face search in memory: every searchable embedding in one contiguous Float32Array, kept in step with
// face_embeddings through a change counter that triggers bump on every insert, delete and relevant update (migration
// 3 in face-index.ts). The counter lives in the database, so a write by any connection or process is seen: each
// search reads it, appends the rows inserted since (by rowid) or reloads everything after a delete (or streams, while
// the counted searchable faces exceed the cap), and re-reads it afterwards to retry if a write landed in between. The server uses one SQLite connection in one process, but a CLI
// or a second process on the same file stays correct too.
import type { SqlDb } from '../sql';

/** face_embeddings' change counters and how many searchable faces it holds (face_index_changes, one row). */
interface ChangeCounters {
  inserts: number;
  removals: number;
  searchable: number;
}

const sameCounters = (a: ChangeCounters, b: ChangeCounters) =>
  a.inserts === b.inserts && a.removals === b.removals && a.searchable === b.searchable;

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
  private vectors = new Float32Array(0);
  private uuids: string[] = [];
  private sessions: (string | null)[] = [];
  /** The counters the copy reflects (null: read it again). */
  private counters: ChangeCounters | null = null;
  /** False while the searchable faces outnumber maxFaces: searches stream from disk instead. */
  private loaded = false;
  private lastRowid = 0;

  constructor(
    private readonly db: SqlDb,
    private readonly dims: number,
    private readonly maxFaces: number,
  ) {}

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
    return this.db.get<ChangeCounters>('SELECT inserts, removals, searchable FROM face_index_changes WHERE id = 1');
  }

  private async refresh(): Promise<boolean> {
    for (let attempt = 0; attempt < CONSISTENT_READ_TRIES; attempt++) {
      const before = await this.readCounters();
      if (!before) return false;
      const cached = this.counters;
      if (cached && sameCounters(cached, before)) return this.loaded;
      if (Number(before.searchable) > this.maxFaces) {
        // Over the cap: the memory goes back, and searches stream until deletes bring the count under it.
        this.drop();
        this.counters = before;
        return false;
      }
      const appendOnly = this.loaded && cached !== null && cached.removals === before.removals && before.inserts > cached.inserts;
      const complete = appendOnly ? await this.append(before.inserts - cached.inserts) : await this.reload(Number(before.searchable));
      const after = await this.readCounters();
      if (complete && after && sameCounters(after, before)) {
        this.counters = before;
        this.loaded = true;
        return true;
      }
      // A write landed during the read, or the new rows did not add up (e.g. VACUUM renumbered rowids): read again.
      this.drop();
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

  /** Reads every face again into an array sized for the `searchable` faces the counters announce. */
  private async reload(searchable: number): Promise<boolean> {
    this.drop();
    this.vectors = new Float32Array(searchable * this.dims);
    for (;;) {
      const rows = await this.db.all<CachedRow>(`SELECT ${COLUMNS} FROM face_embeddings WHERE rowid > $1 ORDER BY rowid LIMIT $2`, [
        this.lastRowid,
        LOAD_PAGE_ROWS,
      ]);
      this.add(rows);
      if (rows.length < LOAD_PAGE_ROWS) return true;
    }
  }

  private drop(): void {
    this.vectors = new Float32Array(0);
    this.uuids = [];
    this.sessions = [];
    this.counters = null;
    this.loaded = false;
    this.lastRowid = 0;
  }

  private add(rows: CachedRow[]): void {
    for (const row of rows) {
      this.lastRowid = Math.max(this.lastRowid, Number(row.rowid));
      if (Number(row.searchable) !== 1 || !row.embedding) continue;
      const at = this.uuids.length * this.dims;
      if (at + this.dims > this.vectors.length) {
        // Appends grow the array; a reload sizes it from the counters.
        const grown = new Float32Array(Math.max(this.dims * 1024, this.vectors.length * 2));
        grown.set(this.vectors);
        this.vectors = grown;
      }
      // Stored little-endian float32; a copy through a byte view works at any alignment.
      new Uint8Array(this.vectors.buffer, at * 4, this.dims * 4).set(row.embedding.subarray(0, this.dims * 4));
      this.uuids.push(row.uuid);
      this.sessions.push(row.session_id);
    }
  }
}
