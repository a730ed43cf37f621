// The kiosk's offline copy of the face blocklist: each entry's embedding encrypted at rest (AES-256-GCM with the
// store's data key, bound to its entry id), replaced whole at each sync so a removed entry is erased here too.
import type Database from 'better-sqlite3';
import { CodedError } from '../../shared/errors';
import { decrypt, encrypt, type KeyProvider } from './keys';

export interface BlocklistFace {
  entryUuid: string;
  listUuid: string;
  label: string | null;
  /** L2-normalised face embedding (biometric data: never logged). */
  embedding: Float32Array;
}

const aad = (entryUuid: string) => `blocklist:${entryUuid}`;

export class BlocklistStore {
  constructor(
    private readonly db: Database.Database,
    private readonly keys: KeyProvider,
  ) {
    // Own table, created on first use: the kiosk's core migrations stay untouched by this module.
    db.exec(`CREATE TABLE IF NOT EXISTS blocklist_faces (
      entry_uuid TEXT PRIMARY KEY, list_uuid TEXT NOT NULL, label TEXT, ciphertext BLOB NOT NULL, synced_at TEXT NOT NULL)`);
  }

  /** Replaces the whole copy in one transaction (secure_delete overwrites what is removed). */
  replace(faces: readonly BlocklistFace[], syncedAt: string): void {
    const key = this.keys.getKey();
    const sealed = faces.map((face) => {
      const bytes = new Uint8Array(face.embedding.buffer, face.embedding.byteOffset, face.embedding.byteLength);
      return { ...face, ciphertext: encrypt(key, bytes, aad(face.entryUuid)) };
    });
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM blocklist_faces').run();
      const insert = this.db.prepare(
        'INSERT INTO blocklist_faces (entry_uuid, list_uuid, label, ciphertext, synced_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const face of sealed) insert.run(face.entryUuid, face.listUuid, face.label, face.ciphertext, syncedAt);
    })();
  }

  /** Every entry, decrypted for matching in memory. */
  faces(): BlocklistFace[] {
    const rows = this.db.prepare('SELECT entry_uuid, list_uuid, label, ciphertext FROM blocklist_faces ORDER BY entry_uuid').all() as {
      entry_uuid: string;
      list_uuid: string;
      label: string | null;
      ciphertext: Buffer;
    }[];
    if (rows.length === 0) return [];
    const key = this.keys.getKey();
    return rows.map((row) => {
      let plain: Buffer;
      try {
        plain = decrypt(key, row.ciphertext, aad(row.entry_uuid));
      } catch (err) {
        throw new CodedError('DATABASE_CORRUPT', 'A blocklist entry could not be decrypted; sync the blocklist again.', { cause: err });
      }
      const copy = new Uint8Array(plain);
      return {
        entryUuid: row.entry_uuid,
        listUuid: row.list_uuid,
        label: row.label,
        embedding: new Float32Array(copy.buffer, 0, copy.byteLength / 4),
      };
    });
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM blocklist_faces').get() as { n: number }).n;
  }

  lastSyncedAt(): string | null {
    return (this.db.prepare('SELECT MAX(synced_at) AS at FROM blocklist_faces').get() as { at: string | null }).at;
  }
}
