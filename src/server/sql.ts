// One small SQL surface over SQLite (better-sqlite3) and PostgreSQL (pg): the same statements run on both.
import Database from 'better-sqlite3';
import pg from 'pg';
import { restrictDatabaseToOwner } from '../node/store/open';

export type Dialect = 'sqlite' | 'postgres';
export type Params = readonly unknown[];

export interface SqlRunner {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined>;
  /** Rows changed. */
  run(sql: string, params?: Params): Promise<number>;
}

export interface SqlDb extends SqlRunner {
  /** Run `fn` in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED + row locks). */
  tx<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T>;
  /** ` FOR UPDATE` on PostgreSQL; SQLite's write transaction already excludes other writers. */
  readonly forUpdate: string;
  close(): Promise<void>;
}

/** Statements are written with $1..$n; SQLite gets positional ? in occurrence order. */
function toSqlite(sql: string, params: Params): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    values.push(normalizeParam(params[Number(index) - 1]));
    return '?';
  });
  return { text, values };
}

function normalizeParam(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

/** A promise chain so async transactions on the single SQLite connection never interleave. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export function openSqlite(path: string): SqlDb {
  // The server's file holds personal data (decision records, sealed images): owner-only, like the kiosk's.
  restrictDatabaseToOwner(path);
  const db = new Database(path);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const mutex = new Mutex();
  const runner: SqlRunner = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: Params = []) {
      const { text, values } = toSqlite(sql, params);
      const stmt = db.prepare(text);
      return (stmt.reader ? stmt.all(...values) : (stmt.run(...values), [])) as T[];
    },
    async get<T>(sql: string, params: Params = []) {
      const { text, values } = toSqlite(sql, params);
      return db.prepare(text).get(...values) as T | undefined;
    },
    async run(sql: string, params: Params = []) {
      const { text, values } = toSqlite(sql, params);
      return db.prepare(text).run(...values).changes;
    },
  };
  return {
    dialect: 'sqlite',
    forUpdate: '',
    // Statements queue behind running transactions so they never see half of one (use `q` inside a transaction).
    all: (sql, params) => mutex.run(() => runner.all(sql, params)),
    get: (sql, params) => mutex.run(() => runner.get(sql, params)),
    run: (sql, params) => mutex.run(() => runner.run(sql, params)),
    tx: (fn) =>
      mutex.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(runner);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    async close() {
      await mutex.run(async () => {
        if (db.open) db.close();
      });
    },
  };
}

function pgRunner(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: Params = []) {
      return (await client.query(sql, params.map(normalizePg))).rows as T[];
    },
    async get<T>(sql: string, params: Params = []) {
      return (await client.query(sql, params.map(normalizePg))).rows[0] as T | undefined;
    },
    async run(sql: string, params: Params = []) {
      return (await client.query(sql, params.map(normalizePg))).rowCount ?? 0;
    },
  };
}

function normalizePg(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value === undefined ? null : value;
}

export interface PostgresOptions {
  connectionString: string;
  /** Use (and create) this schema instead of public: tests get a fresh one per run. */
  schema?: string;
  max?: number;
}

export function openPostgres(options: PostgresOptions): SqlDb {
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's network error must not crash the server; the next query reconnects.
  pool.on('error', () => undefined);
  const base = pgRunner(pool);
  return {
    ...base,
    forUpdate: ' FOR UPDATE',
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(pgRunner(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** True for a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
