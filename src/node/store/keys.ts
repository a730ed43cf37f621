// Keys for encryption at rest: a KeyProvider yields the 32-byte AES key; images and the device's private key use it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { CodedError } from '../../shared/errors';

export interface KeyProvider {
  /** The 32-byte data key (created on first use). */
  getKey(): Buffer;
  /** Where the key lives, for operators (never the key itself). */
  readonly description: string;
}

const KEY_BYTES = 32;

/** Write a file only if it does not exist yet (O_EXCL), readable by the owner alone. */
function createExclusive(path: string, bytes: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A raw 32-byte key file with mode 0600 (the fallback where no OS keychain is available). */
export function createFileKeyProvider(keyPath: string): KeyProvider {
  let cached: Buffer | null = null;
  return {
    description: `key file ${keyPath} (mode 0600)`,
    getKey(): Buffer {
      if (cached) return cached;
      createExclusive(keyPath, randomBytes(KEY_BYTES));
      // Tighten permissions left loose by a copy or a restore.
      if ((statSync(keyPath).mode & 0o077) !== 0) chmodSync(keyPath, 0o600);
      const key = readFileSync(keyPath);
      if (key.length !== KEY_BYTES) {
        throw new CodedError('DATABASE_CORRUPT', `The key file ${keyPath} is not a 32-byte key; restore it from a backup.`);
      }
      cached = key;
      return key;
    },
  };
}

/** Seal/unseal functions of an OS keychain (Electron's safeStorage.encryptString/decryptString wrap onto these). */
export interface Sealer {
  seal(plain: Buffer): Buffer;
  unseal(sealed: Buffer): Buffer;
}

/** A data key stored sealed by the OS keychain (Electron's safeStorage): the file alone does not reveal it. */
export function createSealedKeyProvider(sealedPath: string, sealer: Sealer): KeyProvider {
  let cached: Buffer | null = null;
  return {
    description: `OS-sealed key ${sealedPath}`,
    getKey(): Buffer {
      if (cached) return cached;
      createExclusive(sealedPath, sealer.seal(randomBytes(KEY_BYTES)));
      const key = sealer.unseal(readFileSync(sealedPath));
      if (key.length !== KEY_BYTES) {
        throw new CodedError('DATABASE_CORRUPT', `The sealed key ${sealedPath} did not unseal to a 32-byte key.`);
      }
      cached = key;
      return key;
    },
  };
}

/** The default provider: a key file beside the database. */
export function defaultKeyProvider(dbPath: string): KeyProvider {
  return createFileKeyProvider(`${dbPath}.key`);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: iv (12) | tag (16) | ciphertext. `aad` binds the blob to its row so blobs cannot be swapped. */
export function encrypt(key: Buffer, plain: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function decrypt(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new CodedError('DATABASE_CORRUPT', 'An encrypted blob is truncated.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new CodedError('DATABASE_CORRUPT', 'An encrypted blob failed authentication (wrong key or edited data).', { cause: err });
  }
}
