// The server's face index: lists (blocklists, allowlists, custom) with their entries, and every enrolled face
// embedding (sessions, saved API calls, face list entries). SQLite and PostgreSQL search exactly; PostgreSQL uses
// pgvector's HNSW index when `CREATE EXTENSION vector` succeeds. Embeddings never leave this module.
import { randomUUID } from 'node:crypto';
import { CodedError } from '../../shared/errors';
import { MAX_FACE_SEARCH_MATCHES, similarityScore } from '../../shared/face-match';
import { tuned } from '../../shared/tunables';
import { isUniqueViolation, type SqlDb, type SqlRunner } from '../sql';
import { ExactSearchCache } from './exact-cache';
import type { FaceScreeningRow } from './screening-worker';

/** Length of the faceres descriptor (FACE_EMBEDDING_MODEL). */
export const EMBEDDING_DIMENSIONS = 1024;
/** HNSW build and search parameters (src/shared/tunables.ts; measured by `liveness face-bench`). */
export const HNSW_M = tuned('hnswM');
export const HNSW_EF_CONSTRUCTION = tuned('hnswEfConstruction');
export const HNSW_EF_SEARCH = tuned('hnswEfSearch');
/** pgvector from which `hnsw.iterative_scan` exists (a filtered HNSW scan keeps going until LIMIT rows pass). */
const ITERATIVE_SCAN_SINCE = [0, 8] as const;
/** Faces given their vector column per statement batch when pgvector arrives on a database that has faces. */
const BACKFILL_BATCH = 500;

/** How the index searches: exact (every stored face scored) or pgvector's HNSW index. */
export type SearchBackend = 'exact' | 'hnsw';

export const LIST_TYPES = ['blocklist', 'allowlist', 'custom'] as const;
export type ListType = (typeof LIST_TYPES)[number];
export const LIST_ENTRY_TYPES = ['face', 'document', 'phone', 'email', 'ip', 'device'] as const;
export type ListEntryType = (typeof LIST_ENTRY_TYPES)[number];

export type FaceSource = 'session' | 'api_request' | 'list_entry';

export interface ListRow {
  uuid: string;
  name: string;
  list_type: ListType;
  entry_type: ListEntryType;
  description: string | null;
  is_system: number | boolean;
  created_at: string;
}

export interface ListEntryRow {
  uuid: string;
  list_uuid: string;
  value: string | null;
  display_label: string | null;
  comment: string | null;
  metadata_json: string | null;
  reference_session_id: string | null;
  created_at: string;
}

export interface FaceMatch {
  /** 0-100, Didit's similarity_percentage. */
  similarity: number;
  source: FaceSource;
  session_id: string | null;
  vendor_data: string | null;
  status: string | null;
  list_uuid: string | null;
  entry_uuid: string | null;
  list_type: ListType | null;
  created_at: string;
}

interface FaceRow {
  uuid: string;
  source: FaceSource;
  session_id: string | null;
  vendor_data: string | null;
  status: string | null;
  list_entry_uuid: string | null;
  list_uuid: string | null;
  list_type: ListType | null;
  created_at: string;
}

export function embeddingToBytes(embedding: Float32Array): Buffer {
  if (embedding.length !== EMBEDDING_DIMENSIONS)
    throw new CodedError('INVALID_ARGUMENT', `A face embedding has ${EMBEDDING_DIMENSIONS} values, not ${embedding.length}.`);
  return Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
}

export function embeddingFromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

const vectorLiteral = (embedding: Float32Array) => `[${Array.from(embedding, (v) => v.toPrecision(7)).join(',')}]`;

const MIGRATIONS: { version: number; statements: (db: SqlDb) => string[] }[] = [
  {
    version: 1,
    statements: (db) => [
      `CREATE TABLE face_lists (
        uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, list_type TEXT NOT NULL, entry_type TEXT NOT NULL,
        description TEXT, is_system INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)`,
      `CREATE TABLE face_list_entries (
        uuid TEXT PRIMARY KEY, list_uuid TEXT NOT NULL REFERENCES face_lists(uuid) ON DELETE CASCADE,
        value TEXT, display_label TEXT, comment TEXT, metadata_json TEXT, reference_session_id TEXT, created_at TEXT NOT NULL)`,
      'CREATE INDEX face_list_entries_list ON face_list_entries (list_uuid, created_at)',
      `CREATE TABLE face_embeddings (
        uuid TEXT PRIMARY KEY, source TEXT NOT NULL, session_id TEXT, vendor_data TEXT, status TEXT,
        list_entry_uuid TEXT REFERENCES face_list_entries(uuid) ON DELETE CASCADE,
        searchable INTEGER NOT NULL, embedding ${db.dialect === 'postgres' ? 'BYTEA' : 'BLOB'} NOT NULL, created_at TEXT NOT NULL)`,
      'CREATE INDEX face_embeddings_session ON face_embeddings (session_id)',
    ],
  },
  {
    // One row per synced Approved decision once a server instance claims its screening (screening-worker.ts).
    version: 2,
    statements: (db) => [
      `CREATE TABLE face_screenings (
        decision_session_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
        locked_until ${db.dialect === 'postgres' ? 'BIGINT' : 'INTEGER'} NOT NULL, warnings_json TEXT, status_before TEXT, status_after TEXT,
        reason TEXT, enrolled INTEGER NOT NULL, created_at TEXT NOT NULL, screened_at TEXT)`,
      'CREATE INDEX face_screenings_due ON face_screenings (state, locked_until)',
      'CREATE INDEX face_screenings_session ON face_screenings (session_id)',
    ],
  },
  {
    // SQLite's in-memory exact search (exact-cache.ts) learns of every write, from any connection, by these counters.
    version: 3,
    statements: (db) =>
      db.dialect === 'postgres'
        ? []
        : [
            `CREATE TABLE face_index_changes (id INTEGER PRIMARY KEY CHECK (id = 1), inserts INTEGER NOT NULL, removals INTEGER NOT NULL,
              searchable INTEGER NOT NULL)`,
            'INSERT INTO face_index_changes (id, inserts, removals, searchable) SELECT 1, 0, 0, COUNT(*) FROM face_embeddings WHERE searchable = 1',
            `CREATE TRIGGER face_embeddings_inserted AFTER INSERT ON face_embeddings
              BEGIN UPDATE face_index_changes SET inserts = inserts + 1, searchable = searchable + (NEW.searchable = 1) WHERE id = 1; END`,
            `CREATE TRIGGER face_embeddings_deleted AFTER DELETE ON face_embeddings
              BEGIN UPDATE face_index_changes SET removals = removals + 1, searchable = searchable - (OLD.searchable = 1) WHERE id = 1; END`,
            `CREATE TRIGGER face_embeddings_updated AFTER UPDATE OF uuid, session_id, searchable, embedding ON face_embeddings
              BEGIN UPDATE face_index_changes
                SET removals = removals + 1, searchable = searchable + (NEW.searchable = 1) - (OLD.searchable = 1) WHERE id = 1; END`,
          ],
  },
];

/**
 * Erases the face embeddings and screening rows of sessions being erased (DELETE /v3/session/{id}/delete/ and
 * POST /v3/sessions/delete/ call it). Returns how many embeddings went.
 */
export async function eraseSessionFaces(db: SqlDb, sessionIds: readonly string[]): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return db.tx(async (q) => {
    let erased = 0;
    for (const sessionId of sessionIds) {
      await q.run('DELETE FROM face_screenings WHERE session_id = $1', [sessionId]);
      erased += await q.run('DELETE FROM face_embeddings WHERE session_id = $1', [sessionId]);
    }
    return erased;
  });
}

export class FaceIndex {
  /** SQLite: every searchable face in memory, kept in step with the table (exact-cache.ts). */
  private readonly exactCache: ExactSearchCache | null;

  private constructor(
    private readonly db: SqlDb,
    private readonly vector: VectorSupport | null,
    exactCacheMaxFaces: number,
  ) {
    this.exactCache = db.dialect === 'sqlite' ? new ExactSearchCache(db, EMBEDDING_DIMENSIONS, exactCacheMaxFaces) : null;
  }

  /** 'hnsw' when the database has pgvector (PostgreSQL with `CREATE EXTENSION vector`), else 'exact'. */
  get backend(): SearchBackend {
    return this.vector ? 'hnsw' : 'exact';
  }

  /** True on the pgvector HNSW path. */
  get vectorSearch(): boolean {
    return this.vector !== null;
  }

  /**
   * Migrate, provision the system face blocklist, and detect pgvector (PostgreSQL only). exactCacheMaxFaces (SQLite;
   * default the tunable) caps the faces exact search keeps in memory: 0 streams every search from disk.
   */
  static async open(db: SqlDb, options: { now?: () => number; exactCacheMaxFaces?: number } = {}): Promise<FaceIndex> {
    await db.tx(async (q) => {
      if (db.dialect === 'postgres') await q.run('SELECT pg_advisory_xact_lock(7215011)');
      await q.run('CREATE TABLE IF NOT EXISTS face_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const applied = new Set(
        (await q.all<{ version: number }>('SELECT version FROM face_schema_migrations')).map((r) => Number(r.version)),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements(db)) await q.run(statement);
        await q.run('INSERT INTO face_schema_migrations (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          new Date().toISOString(),
        ]);
      }
    });
    const vector = db.dialect === 'postgres' ? await enableVectorIndex(db) : null;
    const index = new FaceIndex(db, vector, options.exactCacheMaxFaces ?? tuned('exactSearchCacheMaxFaces'));
    await index.systemBlocklist(options.now?.() ?? Date.now());
    return index;
  }

  /** Didit provisions one system blocklist per entry type; this product keeps faces, so the face one always exists. */
  async systemBlocklist(nowMs = Date.now()): Promise<ListRow> {
    const existing = await this.db.get<ListRow>(
      "SELECT * FROM face_lists WHERE is_system = 1 AND list_type = 'blocklist' AND entry_type = 'face'",
    );
    if (existing) return existing;
    try {
      await this.db.run(
        'INSERT INTO face_lists (uuid, name, list_type, entry_type, description, is_system, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)',
        [
          randomUUID(),
          'Face blocklist',
          'blocklist',
          'face',
          'System blocklist of faces (auto-provisioned).',
          new Date(nowMs).toISOString(),
        ],
      );
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // another instance provisioned it first
    }
    return (await this.db.get<ListRow>(
      "SELECT * FROM face_lists WHERE is_system = 1 AND list_type = 'blocklist' AND entry_type = 'face'",
    ))!;
  }

  // ------------------------------------------------------------------ lists

  async listLists(filter: {
    list_type?: string;
    entry_type?: string;
    limit: number;
    offset: number;
  }): Promise<{ count: number; rows: ListRow[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.list_type) where.push(`list_type = $${params.push(filter.list_type)}`);
    if (filter.entry_type) where.push(`entry_type = $${params.push(filter.entry_type)}`);
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const count = Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM face_lists${clause}`, params))?.n ?? 0);
    const rows = await this.db.all<ListRow>(
      `SELECT * FROM face_lists${clause} ORDER BY created_at, uuid LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { count, rows };
  }

  async getList(uuid: string): Promise<ListRow> {
    const row = await this.db.get<ListRow>('SELECT * FROM face_lists WHERE uuid = $1', [uuid]);
    if (!row) throw new CodedError('NOT_FOUND', `No list ${uuid}.`);
    return row;
  }

  async createList(
    input: { name: string; list_type: ListType; entry_type: ListEntryType; description?: string | null },
    nowMs = Date.now(),
  ): Promise<ListRow> {
    if (input.list_type === 'blocklist')
      throw new CodedError(
        'INVALID_ARGUMENT',
        'Blocklists are provisioned by the system, one per entry type; create an allowlist or a custom list.',
      );
    const uuid = randomUUID();
    try {
      await this.db.run(
        'INSERT INTO face_lists (uuid, name, list_type, entry_type, description, is_system, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6)',
        [uuid, input.name, input.list_type, input.entry_type, input.description ?? null, new Date(nowMs).toISOString()],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new CodedError('CONFLICT', `A list named "${input.name}" already exists.`);
      throw err;
    }
    return this.getList(uuid);
  }

  async updateList(uuid: string, patch: { name?: string; description?: string | null }): Promise<ListRow> {
    const list = await this.getList(uuid);
    if (Number(list.is_system)) throw new CodedError('FORBIDDEN', 'System blocklists cannot be changed.');
    try {
      await this.db.run('UPDATE face_lists SET name = $1, description = $2 WHERE uuid = $3', [
        patch.name ?? list.name,
        patch.description === undefined ? list.description : patch.description,
        uuid,
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new CodedError('CONFLICT', `A list named "${patch.name}" already exists.`);
      throw err;
    }
    return this.getList(uuid);
  }

  /** Deletes the list, its entries and their face embeddings (erased, not flagged). */
  async deleteList(uuid: string): Promise<void> {
    const list = await this.getList(uuid);
    if (Number(list.is_system)) throw new CodedError('FORBIDDEN', 'System blocklists cannot be deleted.');
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM face_embeddings WHERE list_entry_uuid IN (SELECT uuid FROM face_list_entries WHERE list_uuid = $1)', [uuid]);
      await q.run('DELETE FROM face_list_entries WHERE list_uuid = $1', [uuid]);
      await q.run('DELETE FROM face_lists WHERE uuid = $1', [uuid]);
    });
  }

  // ------------------------------------------------------------------ entries

  async listEntries(
    listUuid: string,
    filter: { search?: string; limit: number; offset: number },
  ): Promise<{ count: number; rows: ListEntryRow[] }> {
    await this.getList(listUuid);
    const params: unknown[] = [listUuid];
    let clause = ' WHERE list_uuid = $1';
    if (filter.search) {
      params.push(`%${filter.search.toLowerCase()}%`);
      clause += " AND (LOWER(COALESCE(value, '')) LIKE $2 OR LOWER(COALESCE(display_label, '')) LIKE $2)";
    }
    const count = Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM face_list_entries${clause}`, params))?.n ?? 0);
    const rows = await this.db.all<ListEntryRow>(
      `SELECT * FROM face_list_entries${clause} ORDER BY created_at, uuid LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { count, rows };
  }

  async getEntry(listUuid: string, entryUuid: string): Promise<ListEntryRow> {
    const row = await this.db.get<ListEntryRow>('SELECT * FROM face_list_entries WHERE uuid = $1 AND list_uuid = $2', [
      entryUuid,
      listUuid,
    ]);
    if (!row) throw new CodedError('NOT_FOUND', `No entry ${entryUuid} in list ${listUuid}.`);
    return row;
  }

  /** A value entry (phone, email, …) or, with `embedding`, a face entry (the face is enrolled for search). */
  async createEntry(
    listUuid: string,
    input: {
      value?: string | null;
      display_label?: string | null;
      comment?: string | null;
      metadata?: unknown;
      reference_session_id?: string | null;
      embedding?: Float32Array;
    },
    nowMs = Date.now(),
  ): Promise<ListEntryRow> {
    const list = await this.getList(listUuid);
    if (list.entry_type === 'face' && !input.embedding)
      throw new CodedError(
        'INVALID_ARGUMENT',
        'Face lists take face images: use entries/face-upload/ (or reference_session_id of a session with a face).',
      );
    if (list.entry_type !== 'face' && !input.value) throw new CodedError('INVALID_ARGUMENT', `A ${list.entry_type} entry needs a value.`);
    const uuid = randomUUID();
    const createdAt = new Date(nowMs).toISOString();
    await this.db.tx(async (q) => {
      await q.run(
        'INSERT INTO face_list_entries (uuid, list_uuid, value, display_label, comment, metadata_json, reference_session_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          uuid,
          listUuid,
          input.value ?? null,
          input.display_label ?? null,
          input.comment ?? null,
          input.metadata === undefined ? null : JSON.stringify(input.metadata),
          input.reference_session_id ?? null,
          createdAt,
        ],
      );
      if (input.embedding)
        await this.insertFace(q, { source: 'list_entry', listEntryUuid: uuid, searchable: true, embedding: input.embedding, createdAt });
    });
    return this.getEntry(listUuid, uuid);
  }

  /** Removes the entry and erases its face embedding. */
  async deleteEntry(listUuid: string, entryUuid: string): Promise<void> {
    await this.getEntry(listUuid, entryUuid);
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM face_embeddings WHERE list_entry_uuid = $1', [entryUuid]);
      await q.run('DELETE FROM face_list_entries WHERE uuid = $1', [entryUuid]);
    });
  }

  // ------------------------------------------------------------------ faces

  /** Enrols a session's or a saved API call's face (within a caller's transaction if given). Face-search calls enrol with searchable=false (Didit's rule). */
  async enrolFace(
    input: {
      source: 'session' | 'api_request';
      sessionId: string;
      vendorData?: string | null;
      status?: string | null;
      searchable: boolean;
      embedding: Float32Array;
    },
    nowMs = Date.now(),
    within: SqlRunner = this.db,
  ): Promise<string> {
    return this.insertFace(within, { ...input, createdAt: new Date(nowMs).toISOString() });
  }

  /** Erases every face embedding of a session (called when the session is deleted or purged). */
  async eraseSession(sessionId: string): Promise<number> {
    return eraseSessionFaces(this.db, [sessionId]);
  }

  /** The screenings of a session's synced decisions (no faces: states, warnings and reasons). */
  screeningsOf(sessionId: string): Promise<FaceScreeningRow[]> {
    return this.db.all<FaceScreeningRow>('SELECT * FROM face_screenings WHERE session_id = $1 ORDER BY created_at', [sessionId]);
  }

  /** The most recent searchable face enrolled for a session, for a list entry made by reference. */
  async sessionEmbedding(sessionId: string): Promise<Float32Array | null> {
    const row = await this.db.get<{ embedding: Uint8Array }>(
      'SELECT embedding FROM face_embeddings WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1',
      [sessionId],
    );
    return row ? embeddingFromBytes(row.embedding) : null;
  }

  async countFaces(): Promise<number> {
    return Number((await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM face_embeddings'))?.n ?? 0);
  }

  /** The most similar searchable faces, best first, with score >= minScore, never one of excludeSessionId. */
  async search(
    embedding: Float32Array,
    options: { limit?: number; minScore?: number; excludeSessionId?: string } = {},
  ): Promise<FaceMatch[]> {
    const limit = options.limit ?? MAX_FACE_SEARCH_MATCHES;
    const minScore = options.minScore ?? 0;
    const exclude = options.excludeSessionId ?? null;
    const best = this.vector
      ? await this.nearestByHnsw(embedding, limit, exclude, this.vector)
      : await this.nearestExactly(embedding, limit, exclude);
    const select =
      'SELECT f.uuid, f.source, f.session_id, f.vendor_data, f.status, f.list_entry_uuid, e.list_uuid, l.list_type, f.created_at';
    const from =
      ' FROM face_embeddings f LEFT JOIN face_list_entries e ON e.uuid = f.list_entry_uuid LEFT JOIN face_lists l ON l.uuid = e.list_uuid';
    const details =
      best.length === 0
        ? []
        : await this.db.all<FaceRow>(
            `${select}${from} WHERE f.uuid IN (${best.map((_, i) => `$${i + 1}`).join(', ')})`,
            best.map((b) => b.uuid),
          );
    const byUuid = new Map(details.map((row) => [row.uuid, row]));
    return best
      .filter((b) => byUuid.has(b.uuid)) // erased between the two reads
      .map(({ uuid, cosine }) => {
        const row = byUuid.get(uuid)!;
        return {
          similarity: similarityScore(cosine),
          source: row.source,
          session_id: row.session_id,
          vendor_data: row.vendor_data,
          status: row.status,
          list_uuid: row.list_uuid,
          entry_uuid: row.list_entry_uuid,
          list_type: row.list_type,
          created_at: row.created_at,
        };
      })
      .filter((m) => m.similarity >= minScore);
  }

  /**
   * Exact: every searchable face scored. SQLite scores from memory (exact-cache.ts); PostgreSQL without pgvector, and
   * SQLite above exactSearchCacheMaxFaces, stream the table a page at a time (memory stays bounded at any size).
   */
  private async nearestExactly(embedding: Float32Array, limit: number, exclude: string | null): Promise<Scored[]> {
    const top = new TopK(limit);
    const offer = (uuid: string, sessionId: string | null, cosine: number) => {
      if (exclude === null || sessionId !== exclude) top.offer(uuid, cosine);
    };
    if (this.exactCache && (await this.exactCache.scan(embedding, offer))) return top.sorted();
    const pageRows = tuned('exactScanPageRows');
    // SQLite pages in table order (rowid); PostgreSQL by its primary key.
    const key = this.db.dialect === 'sqlite' ? 'rowid' : 'uuid';
    let after: string | number = this.db.dialect === 'sqlite' ? 0 : '';
    for (;;) {
      const page = await this.db.all<{ page_key: string | number; uuid: string; session_id: string | null; embedding: Uint8Array }>(
        `SELECT ${key} AS page_key, uuid, session_id, embedding FROM face_embeddings WHERE searchable = 1 AND ${key} > $1 ORDER BY ${key} LIMIT $2`,
        [after, pageRows],
      );
      for (const row of page) offer(row.uuid, row.session_id, dotBytes(embedding, row.embedding));
      if (page.length < pageRows) break;
      after = page[page.length - 1].page_key;
    }
    return top.sorted();
  }

  /** pgvector's HNSW index (cosine distance); the session filter runs inside the scan where pgvector can iterate. */
  private async nearestByHnsw(embedding: Float32Array, limit: number, exclude: string | null, vector: VectorSupport): Promise<Scored[]> {
    const rows = await this.db.tx(async (q) => {
      await q.run(`SET LOCAL hnsw.ef_search = ${HNSW_EF_SEARCH}`);
      if (vector.iterativeScan) await q.run('SET LOCAL hnsw.iterative_scan = relaxed_order');
      const excluding = exclude === null ? '' : ' AND session_id IS DISTINCT FROM $3';
      return q.all<{ uuid: string; cosine: number }>(
        `SELECT uuid, 1 - (embedding_vec <=> $1::vector) AS cosine FROM face_embeddings WHERE searchable = 1${excluding} ORDER BY embedding_vec <=> $1::vector LIMIT $2`,
        exclude === null ? [vectorLiteral(embedding), limit] : [vectorLiteral(embedding), limit, exclude],
      );
    });
    // relaxed_order may return near-ties slightly out of order: the answer is best first.
    return rows.map((r) => ({ uuid: r.uuid, cosine: Number(r.cosine) })).sort((a, b) => b.cosine - a.cosine);
  }

  /** Every searchable face on the system blocklist and the lists given (the kiosk's offline copy). */
  async blocklistFaces(): Promise<{ entry_uuid: string; list_uuid: string; display_label: string | null; embedding: Float32Array }[]> {
    const rows = await this.db.all<{ entry_uuid: string; list_uuid: string; display_label: string | null; embedding: Uint8Array }>(
      "SELECT e.uuid AS entry_uuid, e.list_uuid, e.display_label, f.embedding FROM face_embeddings f JOIN face_list_entries e ON e.uuid = f.list_entry_uuid JOIN face_lists l ON l.uuid = e.list_uuid WHERE l.list_type = 'blocklist' ORDER BY e.created_at, e.uuid",
    );
    return rows.map((r) => ({ ...r, embedding: embeddingFromBytes(r.embedding) }));
  }

  private async insertFace(
    q: SqlRunner,
    input: {
      source: FaceSource;
      sessionId?: string;
      vendorData?: string | null;
      status?: string | null;
      listEntryUuid?: string;
      searchable: boolean;
      embedding: Float32Array;
      createdAt: string;
    },
  ): Promise<string> {
    const uuid = randomUUID();
    const bytes = embeddingToBytes(input.embedding);
    const columns = 'uuid, source, session_id, vendor_data, status, list_entry_uuid, searchable, embedding, created_at';
    const values = [
      uuid,
      input.source,
      input.sessionId ?? null,
      input.vendorData ?? null,
      input.status ?? null,
      input.listEntryUuid ?? null,
      input.searchable ? 1 : 0,
      bytes,
      input.createdAt,
    ];
    if (this.vectorSearch) {
      await q.run(`INSERT INTO face_embeddings (${columns}, embedding_vec) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::vector)`, [
        ...values,
        vectorLiteral(input.embedding),
      ]);
    } else {
      await q.run(`INSERT INTO face_embeddings (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, values);
    }
    return uuid;
  }
}

interface Scored {
  uuid: string;
  cosine: number;
}

/** The k best scores seen so far (k is small: a sorted insert beats a heap). */
class TopK {
  private readonly items: Scored[] = [];
  constructor(private readonly k: number) {}
  offer(uuid: string, cosine: number): void {
    if (this.items.length === this.k && cosine <= this.items[this.items.length - 1].cosine) return;
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].cosine < cosine) i--;
    this.items.splice(i, 0, { uuid, cosine });
    if (this.items.length > this.k) this.items.pop();
  }
  sorted(): Scored[] {
    return [...this.items];
  }
}

/** Dot product with a stored embedding read straight from its little-endian float32 bytes (no copy when aligned). */
export function dotBytes(a: Float32Array, bytes: Uint8Array): number {
  let sum = 0;
  if (bytes.byteOffset % 4 === 0) {
    const b = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
    return sum;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < a.length; i++) sum += a[i] * view.getFloat32(i * 4, true);
  return sum;
}

interface VectorSupport {
  /** pgvector >= 0.8: `hnsw.iterative_scan` keeps a filtered scan going until LIMIT rows pass the filter. */
  iterativeScan: boolean;
}

/**
 * pgvector when the server's PostgreSQL has it: a vector column (backfilled for faces stored before) and an HNSW
 * cosine index. Null (exact search) when the extension is not installed or may not be created.
 */
async function enableVectorIndex(db: SqlDb): Promise<VectorSupport | null> {
  const available = await db.get("SELECT 1 AS x FROM pg_available_extensions WHERE name = 'vector'");
  if (!available) return null; // e.g. Debian bookworm's PostgreSQL 15 without a pgvector package
  try {
    await db.tx(async (q) => {
      await q.run('SELECT pg_advisory_xact_lock(7215012)'); // several instances start on one database
      await q.run('CREATE EXTENSION IF NOT EXISTS vector');
      await q.run(`ALTER TABLE face_embeddings ADD COLUMN IF NOT EXISTS embedding_vec vector(${EMBEDDING_DIMENSIONS})`);
      for (;;) {
        const missing = await q.all<{ uuid: string; embedding: Uint8Array }>(
          'SELECT uuid, embedding FROM face_embeddings WHERE embedding_vec IS NULL LIMIT $1',
          [BACKFILL_BATCH],
        );
        for (const row of missing)
          await q.run('UPDATE face_embeddings SET embedding_vec = $1::vector WHERE uuid = $2', [
            vectorLiteral(embeddingFromBytes(row.embedding)),
            row.uuid,
          ]);
        if (missing.length < BACKFILL_BATCH) break;
      }
      await q.run(
        `CREATE INDEX IF NOT EXISTS face_embeddings_hnsw ON face_embeddings USING hnsw (embedding_vec vector_cosine_ops) WITH (m = ${HNSW_M}, ef_construction = ${HNSW_EF_CONSTRUCTION})`,
      );
    });
  } catch {
    return null; // no right to create the extension here: exact search
  }
  const version = (await db.get<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'"))?.extversion ?? '0';
  const [major, minor] = version.split('.').map(Number);
  return { iterativeScan: major > ITERATIVE_SCAN_SINCE[0] || (major === ITERATIVE_SCAN_SINCE[0] && minor >= ITERATIVE_SCAN_SINCE[1]) };
}
