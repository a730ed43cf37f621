// Open the kiosk database safely: WAL, busy timeout, integrity check; wait out locks; quarantine a corrupt file of
// ours; refuse (never move) a file that is not a kiosk database.
import {
  appendFileSync,
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CodedError } from '../../shared/errors';
import { migrate } from './migrations';

export interface RecoveryEvent {
  code: 'DATABASE_CORRUPT';
  message: string;
  /** Where the damaged file was moved (kept, never deleted). */
  quarantinedTo: string;
  /** Rows copied from the damaged file into the new one. */
  salvaged: { decisions: number; images: number; outbox: number; identity: boolean };
}

export interface OpenDatabaseOptions {
  /** How long one statement waits for another process's lock. */
  busyTimeoutMs?: number;
  /** How long opening keeps retrying a locked database before giving up (it is never replaced). */
  lockWaitMs?: number;
}

export interface OpenedDatabase {
  db: Database.Database;
  recovery: RecoveryEvent | null;
}

const CORRUPT_CODES = new Set([
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_CORRUPT_VTAB',
  'SQLITE_CORRUPT_SEQUENCE',
  'SQLITE_CORRUPT_INDEX',
]);
const LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED_SHAREDCACHE']);

class IntegrityFailure extends Error {}

/** Stamped into every kiosk database's header (PRAGMA application_id, 'LVK1') so a file can be recognised as ours. */
export const KIOSK_APPLICATION_ID = 0x4c564b31;
const SQLITE_MAGIC = 'SQLite format 3\0';
/** Tables every kiosk database has: a legacy file (before the application id) is recognised by them. */
const KIOSK_TABLES = ['decisions', 'outbox'];

type Ownership = 'absent' | 'ours' | 'foreign';

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(100);
    const read = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whose file is at `path`? Only a file we can recognise as a kiosk database may be quarantined and replaced;
 * anything else (a document, another program's SQLite file) is refused so a mistyped --db never moves it.
 */
function ownershipOf(path: string): Ownership {
  if (path === '' || path === ':memory:' || path.startsWith('file:') || !existsSync(path)) return 'absent';
  const stat = statSync(path);
  if (!stat.isFile()) return 'foreign';
  if (stat.size === 0) return 'absent';
  const head = readHeader(path);
  if (head.length < 16 || head.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) return 'foreign';
  const applicationId = head.length >= 72 ? head.readUInt32BE(68) : 0;
  if (applicationId === KIOSK_APPLICATION_ID) return 'ours';
  if (applicationId !== 0) return 'foreign';
  // No application id: a kiosk database from before it was stamped, or another program's SQLite file.
  let probe: Database.Database | null = null;
  try {
    probe = new Database(path, { readonly: true, fileMustExist: true });
    const tables = (probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return tables.length === 0 || KIOSK_TABLES.every((name) => tables.includes(name)) ? 'ours' : 'foreign';
  } catch {
    return 'ours'; // unreadable with our header and no other program's id: treat as a damaged kiosk database
  } finally {
    probe?.close();
  }
}

function refuseForeign(path: string): never {
  throw new CodedError(
    'DATABASE_FOREIGN',
    `${path} is not a kiosk database (it is some other file); nothing was changed. Choose a new file name, or move that file yourself.`,
  );
}

function sqliteCode(err: unknown): string {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
}
const isCorrupt = (err: unknown) => err instanceof IntegrityFailure || CORRUPT_CODES.has(sqliteCode(err));
const isLocked = (err: unknown) => LOCK_CODES.has(sqliteCode(err));

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function configure(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  // FULL: a committed decision survives power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Deleted image pages are overwritten, so purged faces do not linger in free pages.
  db.pragma('secure_delete = ON');
}

/**
 * Make a SQLite file (and its WAL/SHM companions) readable by its owner only: created 0600 before SQLite opens it
 * (SQLite gives the companions the main file's mode), tightened when a copy or restore left it looser.
 */
export function restrictDatabaseToOwner(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

function openChecked(path: string, busyTimeoutMs: number): Database.Database {
  restrictDatabaseToOwner(path);
  const db = new Database(path);
  try {
    configure(db, busyTimeoutMs);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new IntegrityFailure(`quick_check: ${String(check)}`);
    migrate(db);
    db.pragma(`application_id = ${KIOSK_APPLICATION_ID}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function quarantinePath(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let candidate = `${path}.corrupt-${stamp}`;
  for (let n = 1; existsSync(candidate); n++) candidate = `${path}.corrupt-${stamp}-${n}`;
  return candidate;
}

/** Move the file and its WAL/SHM companions aside, keeping them paired so the copy still opens. */
function quarantine(path: string): string {
  const target = quarantinePath(path);
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  renameSync(path, target);
  return target;
}

/** A truncated file is padded back to the size its header states, so the pages that survived can be read. */
function padToHeaderSize(file: string): void {
  const head = readFileSync(file).subarray(0, 100);
  if (head.length < 100 || head.subarray(0, 15).toString('latin1') !== 'SQLite format 3') return;
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const expected = pageSize * head.readUInt32BE(28);
  const actual = statSync(file).size;
  if (expected > actual && expected < 4 * 1024 ** 3) appendFileSync(file, Buffer.alloc(expected - actual));
}

function removeScratch(scratch: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(scratch + suffix, { force: true });
}

/** Copy whatever rows can still be read from the quarantined file: committed decisions should not be lost. */
function salvage(from: string, into: Database.Database): RecoveryEvent['salvaged'] {
  const counts = { decisions: 0, images: 0, outbox: 0, identity: false };
  // Read from a scratch copy: the quarantined file stays byte for byte as it was found (WAL needs a writable file).
  const scratch = `${from}.salvage`;
  let source: Database.Database;
  try {
    copyFileSync(from, scratch);
    if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${scratch}-wal`);
    padToHeaderSize(scratch);
    source = new Database(scratch, { fileMustExist: true });
  } catch {
    removeScratch(scratch);
    return counts;
  }
  const copy = (select: string, insert: string, onRow: () => void) => {
    const put = into.prepare(insert);
    try {
      for (const row of source.prepare(select).iterate()) {
        if (put.run(row).changes > 0) onRow();
      }
    } catch {
      // A damaged page ends the scan; the rows before it are kept.
    }
  };
  // Point lookups by seq reach every row whose pages survived, even past a damaged page that stops a scan.
  const copyBySeq = (select: string, insert: string, onRow: () => void) => {
    const put = into.prepare(insert);
    let get: Database.Statement;
    try {
      get = source.prepare(select);
    } catch {
      return;
    }
    for (let seq = 1, misses = 0; misses < 1000; seq++) {
      try {
        const row = get.get(seq) as Record<string, unknown> | undefined;
        if (!row) {
          misses++;
          continue;
        }
        misses = 0;
        if (put.run(row).changes > 0) onRow();
      } catch {
        misses++;
      }
    }
  };
  try {
    into.transaction(() => {
      copy(
        'SELECT id, public_key_pem, private_key_enc, created_at FROM identity',
        'INSERT OR IGNORE INTO identity (id, public_key_pem, private_key_enc, created_at) VALUES (@id, @public_key_pem, @private_key_enc, @created_at)',
        () => {
          counts.identity = true;
        },
      );
      copy('SELECT key, value FROM settings', 'INSERT OR IGNORE INTO settings (key, value) VALUES (@key, @value)', () => {});
      copyBySeq(
        'SELECT seq, session_id, status, created_at, record_json, image_sha256, prev_hash, hash, signature FROM decisions WHERE seq = ?',
        `INSERT OR IGNORE INTO decisions (seq, session_id, status, created_at, record_json, image_sha256, prev_hash, hash, signature)
         VALUES (@seq, @session_id, @status, @created_at, @record_json, @image_sha256, @prev_hash, @hash, @signature)`,
        () => {
          counts.decisions++;
        },
      );
      copyBySeq(
        'SELECT seq, created_at, ciphertext FROM images WHERE seq = ?',
        'INSERT OR IGNORE INTO images (seq, created_at, ciphertext) SELECT @seq, @created_at, @ciphertext WHERE EXISTS (SELECT 1 FROM decisions WHERE seq = @seq)',
        () => {
          counts.images++;
        },
      );
      copyBySeq(
        'SELECT seq, idempotency_key, state, attempts, next_attempt_at, last_error, created_at, done_at FROM outbox WHERE seq = ?',
        `INSERT OR IGNORE INTO outbox (seq, idempotency_key, state, attempts, next_attempt_at, last_error, created_at, done_at)
         SELECT @seq, @idempotency_key, @state, @attempts, @next_attempt_at, @last_error, @created_at, @done_at
         WHERE EXISTS (SELECT 1 FROM decisions WHERE seq = @seq)`,
        () => {
          counts.outbox++;
        },
      );
      // A decision whose outbox row was lost must still be sent.
      into
        .prepare(
          `INSERT OR IGNORE INTO outbox (seq, idempotency_key, state, attempts, next_attempt_at, created_at)
        SELECT seq, session_id || ':' || seq, 'pending', 0, 0, created_at FROM decisions`,
        )
        .run();
    })();
  } finally {
    source.close();
    removeScratch(scratch);
  }
  return counts;
}

/**
 * Open (creating if needed) and migrate the store's database. A locked database is waited on and retried, then
 * DATABASE_LOCKED is thrown with the file untouched; a corrupt one is quarantined, salvaged and replaced.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const isFilePath = path !== '' && path !== ':memory:' && !path.startsWith('file:');
  if (isFilePath && !existsSync(dirname(path))) {
    throw new CodedError('FILE_NOT_FOUND', `The folder for the database ${path} does not exist; create it first or choose another path.`);
  }
  if (ownershipOf(path) === 'foreign') refuseForeign(path);
  const deadline = Date.now() + (options.lockWaitMs ?? 15_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return { db: openChecked(path, busyTimeoutMs), recovery: null };
    } catch (err) {
      if (isLocked(err)) {
        if (Date.now() >= deadline) {
          throw new CodedError(
            'DATABASE_LOCKED',
            `The database ${path} is locked by another process; close the other program (or wait) and try again. Nothing was changed.`,
            { cause: err },
          );
        }
        sleepSync(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
        continue;
      }
      if (!isCorrupt(err)) throw err;
      const quarantinedTo = quarantine(path);
      const db = openChecked(path, busyTimeoutMs);
      const salvaged = salvage(quarantinedTo, db);
      return {
        db,
        recovery: {
          code: 'DATABASE_CORRUPT',
          message: `The database ${path} was damaged; it was moved to ${quarantinedTo} and a new one was opened (${salvaged.decisions} decisions recovered from the damaged file).`,
          quarantinedTo,
          salvaged,
        },
      };
    }
  }
}
