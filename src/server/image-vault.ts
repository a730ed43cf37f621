// The central service's reference images at rest: AES-256-GCM under a key the operator holds outside the database,
// each blob bound to its row, and the retention purge that erases pictures after IMAGE_RETENTION_DAYS (records stay).
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CodedError } from '../shared/errors';
import { IMAGE_RETENTION_DAYS, retentionCutoffIso } from '../shared/retention';
import { createFileKeyProvider, decrypt, encrypt } from '../node/store/keys';
import type { ServerMigration } from './schema';
import type { SqlDb, SqlRunner } from './sql';

/** Prefix of a sealed image: names the format, and tells sealed rows from plaintext ones stored before encryption. */
const SEALED_MAGIC = Buffer.from('LVIMG1', 'ascii');

/** The vault's own table: the fingerprint of the key the database's images are sealed with (never the key). */
export const IMAGE_VAULT_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: 'image key fingerprint',
    statements: () => ['CREATE TABLE image_vault_keys (id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, created_at TEXT NOT NULL)'],
  },
];

export interface ImageVaultOptions {
  /** The 32-byte key file (mode 0600). Required on PostgreSQL; on SQLite it defaults to `<db>.image-key`. */
  keyFile: string;
  now: () => number;
}

const aadOf = (sessionId: string) => `server-image:${sessionId}`;
const isSealed = (bytes: Buffer) => bytes.length > SEALED_MAGIC.length && bytes.subarray(0, SEALED_MAGIC.length).equals(SEALED_MAGIC);

/** Where the image key lives when the operator named none: beside a SQLite file (as the kiosk keeps its own); none on PostgreSQL. */
export function defaultImageKeyFile(target: { db?: string; databaseUrl?: string }): string | null {
  if (target.databaseUrl) return null;
  return `${target.db ?? 'liveness-server.sqlite'}.image-key`;
}

export class ImageVault {
  private constructor(
    private readonly db: SqlDb,
    private readonly key: Buffer,
    readonly keyId: string,
    /** True when this start made the key file (the operator must back it up). */
    readonly createdKey: boolean,
    private readonly now: () => number,
  ) {}

  /**
   * Load the key and check it is the one the database's images were sealed with. A missing key file is made (0600)
   * only for a database that holds no sealed image yet; otherwise, and for a different key, the server refuses to
   * start rather than orphan pictures. Plaintext images stored before encryption are sealed in place.
   */
  static async open(db: SqlDb, options: ImageVaultOptions): Promise<ImageVault> {
    const keyFile = options.keyFile;
    const known = await db.get<{ key_id: string }>('SELECT key_id FROM image_vault_keys WHERE id = 1');
    const keyFileExists = existsSync(keyFile);
    if (!keyFileExists && known) {
      throw new CodedError(
        'FILE_NOT_FOUND',
        `The image key file ${keyFile} is missing, but this database's images are sealed with key ${known.key_id}: restore the key file from its backup (a new key could not read them).`,
      );
    }
    const key = createFileKeyProvider(keyFile).getKey();
    const keyId = createHmac('sha256', key).update('liveness server image key id').digest('hex').slice(0, 16);
    const firstKey = await db.run('INSERT INTO image_vault_keys (id, key_id, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
      keyId,
      new Date(options.now()).toISOString(),
    ]);
    const recorded = await db.get<{ key_id: string }>('SELECT key_id FROM image_vault_keys WHERE id = 1');
    if (recorded?.key_id !== keyId) {
      throw new CodedError(
        'DATABASE_FOREIGN',
        `The image key in ${keyFile} (key ${keyId}) is not the key this database's images are sealed with (key ${recorded?.key_id}): give the server the original key file.`,
      );
    }
    const vault = new ImageVault(db, key, keyId, !keyFileExists, options.now);
    // Every write after the first start is sealed, so only the start that recorded the key can meet plaintext rows.
    if (firstKey === 1) await vault.sealPlaintextRows();
    return vault;
  }

  /** The sealed form of an image, bound to its session so a blob moved to another row fails to open. */
  seal(sessionId: string, image: Uint8Array): Buffer {
    return Buffer.concat([SEALED_MAGIC, encrypt(this.key, image, aadOf(sessionId))]);
  }

  open(sessionId: string, stored: Uint8Array): Buffer {
    const bytes = Buffer.from(stored);
    if (!isSealed(bytes))
      throw new CodedError('DATABASE_CORRUPT', `The stored image of session ${sessionId} is not sealed; restart the server to seal it.`);
    return decrypt(this.key, bytes.subarray(SEALED_MAGIC.length), aadOf(sessionId));
  }

  /** Store a decision's reference image, sealed (inside the caller's transaction). */
  async put(q: SqlRunner, sessionId: string, image: Uint8Array): Promise<void> {
    await q.run("INSERT INTO images (session_id, mime, bytes) VALUES ($1, 'image/jpeg', $2)", [sessionId, this.seal(sessionId, image)]);
  }

  /** The image of one decision (by the decision's own session id), opened; null when none is held. */
  async get(decisionSessionId: string): Promise<Buffer | null> {
    const row = await this.db.get<{ bytes: Buffer }>('SELECT bytes FROM images WHERE session_id = $1', [decisionSessionId]);
    return row ? this.open(decisionSessionId, row.bytes) : null;
  }

  /**
   * Erase every picture whose check is older than the retention (by the kiosk's capture time or, for a kiosk with a
   * wrong clock, the time the server received it); decision records and their image hashes stay. One audit entry.
   */
  async purgeExpired(retentionDays: number = IMAGE_RETENTION_DAYS): Promise<number> {
    const cutoff = retentionCutoffIso(this.now(), retentionDays);
    return this.db.tx(async (q) => {
      const erased = await q.run(
        'DELETE FROM images WHERE session_id IN (SELECT session_id FROM decisions WHERE created_at < $1 OR received_at < $1)',
        [cutoff],
      );
      if (erased > 0) {
        await q.run('INSERT INTO audit_events (device_id, seq, session_id, code, detail, at) VALUES ($1, $2, $3, $4, $5, $6)', [
          null,
          null,
          null,
          'IMAGES_PURGED',
          `${erased} reference image(s) of checks before ${cutoff} erased by the ${retentionDays}-day retention; their decision records are kept.`,
          new Date(this.now()).toISOString(),
        ]);
      }
      return erased;
    });
  }

  /** Seal images written in the clear by a server from before encryption at rest (one transaction). */
  private async sealPlaintextRows(): Promise<void> {
    await this.db.tx(async (q) => {
      for (const { session_id: sessionId } of await q.all<{ session_id: string }>('SELECT session_id FROM images')) {
        const row = await q.get<{ bytes: Buffer }>('SELECT bytes FROM images WHERE session_id = $1', [sessionId]);
        const bytes = Buffer.from(row!.bytes);
        if (!isSealed(bytes)) await q.run('UPDATE images SET bytes = $1 WHERE session_id = $2', [this.seal(sessionId, bytes), sessionId]);
      }
    });
  }
}
