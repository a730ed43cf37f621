// The kiosk store on real SQLite files: atomic decision+outbox, encryption at rest, retention, lock and corruption recovery.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, recordDecision } from '../../src/node/store';
import { createSealedKeyProvider } from '../../src/node/store/keys';
import { CodedError } from '../../src/shared/errors';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveness-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('decision store', () => {
  it('writes the decision, its signed chained record and its outbox job together', () => {
    const path = join(dir, 'q.sqlite');
    const store = openStore({ path });
    const a = recordDecision(store, makeResult('s-a', 91), tinyJpeg(1));
    const b = recordDecision(store, makeResult('s-b', 40));
    expect([a.seq, b.seq]).toEqual([1, 2]);
    const first = store.getDecision('s-a')!;
    const second = store.getDecision('s-b')!;
    expect(second.prevHash).toBe(first.hash);
    expect(first).toMatchObject({ status: 'Approved', outboxState: 'pending', hasImage: true });
    expect(store.verifyChain()).toEqual({ ok: true, count: 2 });
    expect(store.stats()).toMatchObject({ total: 2, pending: 2, done: 0 });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
    store.close();
  });

  it('refuses an invalid result and a non-JPEG image with codes, writing nothing', () => {
    const store = openStore({ path: join(dir, 'q.sqlite') });
    expect(() => store.recordDecision({ ...makeResult('x'), liveness_score: 140 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_PAYLOAD' }),
    );
    expect(() => store.recordDecision(makeResult('y'), Buffer.from('%PDF-1.4'))).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_TYPE' }),
    );
    expect(store.stats().total).toBe(0);
    store.close();
  });

  it('recording the same session again is a no-op, and a different result for it is a CONFLICT', () => {
    const store = openStore({ path: join(dir, 'q.sqlite') });
    const result = makeResult('same', 80);
    expect(store.recordDecision(result).created).toBe(true);
    expect(store.recordDecision(result).created).toBe(false);
    expect(() => store.recordDecision({ ...result, liveness_score: 81 })).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    expect(store.stats().total).toBe(1);
    store.close();
  });

  it('encrypts reference images at rest with a 0600 key file, and keeps the identity across restarts', () => {
    const path = join(dir, 'q.sqlite');
    const jpeg = tinyJpeg(7);
    let store = openStore({ path });
    const publicKey = store.identity.publicKeyPem;
    store.recordDecision(makeResult('img'), jpeg);
    store.close();
    expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600);
    const raw = new Database(path, { readonly: true });
    const blob = raw.prepare('SELECT ciphertext FROM images').pluck().get() as Buffer;
    raw.close();
    expect(blob.includes(jpeg.subarray(4, 40))).toBe(false);
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file)).includes(jpeg.subarray(4, 40))).toBe(false);
    store = openStore({ path });
    expect(store.identity.publicKeyPem).toBe(publicKey);
    expect(store.getImage(1)!.equals(jpeg)).toBe(true);
    store.close();
  });

  it('takes its key from an OS sealer (safeStorage) when one is given', () => {
    const path = join(dir, 'q.sqlite');
    const sealer = { seal: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)), unseal: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)) };
    const store = openStore({ path, keyProvider: createSealedKeyProvider(`${path}.sealed`, sealer) });
    store.recordDecision(makeResult('sealed'), tinyJpeg(3));
    expect(store.getImage(1)!.equals(tinyJpeg(3))).toBe(true);
    expect(existsSync(`${path}.key`)).toBe(false);
    store.close();
  });

  it('purges images after the retention period but keeps the decision metadata', () => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const store = openStore({ path: join(dir, 'q.sqlite'), now: () => clock });
    store.recordDecision(makeResult('old'), tinyJpeg(1));
    clock += 40 * 86_400_000;
    store.recordDecision(makeResult('new'), tinyJpeg(2));
    expect(store.purgeImagesOlderThan(30)).toBe(1);
    expect(store.getDecision('old')).toMatchObject({ hasImage: false, imageSha256: expect.any(String) });
    expect(store.getDecision('new')!.hasImage).toBe(true);
    expect(store.verifyChain().ok).toBe(true);
    expect(() => store.purgeImagesOlderThan(-1)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    store.close();
  });
});

describe('recovery', () => {
  // Issue 9 reproduction: `--db` pointing at any non-SQLite file used to rename that file aside without asking.
  it('refuses a file that is not a database (DATABASE_FOREIGN), leaving it where it was, byte for byte', () => {
    const path = join(dir, 'notes.txt');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) & 0xff));
    writeFileSync(path, garbage);
    expect(() => openStore({ path })).toThrowError(expect.objectContaining({ code: 'DATABASE_FOREIGN' }));
    expect(readFileSync(path).equals(garbage)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt']);
  });

  it("refuses another program's SQLite file (its own application id, or tables that are not ours)", () => {
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const before = readFileSync(other);
    expect(() => openStore({ path: other })).toThrowError(expect.objectContaining({ code: 'DATABASE_FOREIGN' }));
    expect(readFileSync(other).equals(before)).toBe(true);
    const stamped = join(dir, 'stamped.sqlite');
    const db2 = new Database(stamped);
    db2.pragma('application_id = 1234');
    db2.close();
    expect(() => openStore({ path: stamped })).toThrowError(expect.objectContaining({ code: 'DATABASE_FOREIGN' }));
  });

  it('quarantines a kiosk database whose pages are damaged and opens a new one, reporting DATABASE_CORRUPT', () => {
    const path = join(dir, 'q.sqlite');
    let store = openStore({ path });
    store.recordDecision(makeResult('before'));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    // Keep the 100-byte header (ours, with the application id) and overwrite every page after it.
    const bytes = readFileSync(path);
    for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(path, bytes);
    store = openStore({ path });
    expect(store.recovery).toMatchObject({ code: 'DATABASE_CORRUPT' });
    expect(existsSync(store.recovery!.quarantinedTo)).toBe(true);
    expect(store.recovery!.quarantinedTo).toMatch(/q\.sqlite\.corrupt-/);
    store.recordDecision(makeResult('after'));
    expect(store.stats().total).toBeGreaterThanOrEqual(1);
    store.close();
  });

  it('names a missing folder with FILE_NOT_FOUND instead of an internal error', () => {
    expect(() => openStore({ path: join(dir, 'no-such-folder', 'q.sqlite') })).toThrowError(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
  });

  it('quarantines a truncated database and salvages the decisions that can still be read', () => {
    const path = join(dir, 'q.sqlite');
    let store = openStore({ path });
    for (let i = 0; i < 200; i++) store.recordDecision(makeResult(`t-${i}`), tinyJpeg(i));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const size = statSync(path).size;
    const original = readFileSync(path);
    truncateSync(path, Math.floor(size * 0.6));
    store = openStore({ path });
    expect(store.recovery?.code).toBe('DATABASE_CORRUPT');
    // The damaged file is kept, byte for byte what was left of it.
    expect(readFileSync(store.recovery!.quarantinedTo).equals(original.subarray(0, Math.floor(size * 0.6)))).toBe(true);
    const salvaged = store.recovery!.salvaged.decisions;
    expect(store.stats().total).toBe(salvaged);
    // The front of the file survived: the identity and the earliest decisions come back, still to be sent.
    expect(salvaged).toBeGreaterThan(0);
    expect(store.recovery!.salvaged.identity).toBe(true);
    expect(store.stats().pending).toBe(salvaged);
    // Rows on lost pages leave gaps; the chain check (and the server) names the first missing record.
    const chain = store.verifyChain();
    if (!chain.ok) expect(chain.reason).toMatch(/missing/);
    store.close();
  });

  it('waits for a lock held by another process, then opens with nothing lost', async () => {
    const path = join(dir, 'q.sqlite');
    const store = openStore({ path });
    store.recordDecision(makeResult('before-lock'));
    store.close();
    const holder = lockHolder(path, 1500);
    await holder.locked;
    const reopened = openStore({ path, busyTimeoutMs: 100, lockWaitMs: 30_000 });
    expect(reopened.recovery).toBeNull();
    expect(reopened.getDecision('before-lock')).not.toBeNull();
    reopened.close();
    await holder.done;
  });

  it('gives up on a lock that outlasts the wait with DATABASE_LOCKED, leaving the file in place', async () => {
    const path = join(dir, 'q.sqlite');
    openStore({ path }).close();
    const holder = lockHolder(path, 8000);
    await holder.locked;
    let error: unknown;
    try {
      openStore({ path, busyTimeoutMs: 50, lockWaitMs: 300 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('DATABASE_LOCKED');
    expect((error as CodedError).message).toMatch(/locked by another process/);
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
    holder.child.kill('SIGKILL');
    await holder.done;
  });
});

/** A child process that takes an exclusive lock on the database for `ms`. */
function lockHolder(path: string, ms: number) {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)});
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('SELECT COUNT(*) FROM decisions').get();
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, locked, done };
}
