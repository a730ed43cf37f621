// The kiosk's Ed25519 identity: created once, kept in the store with the private key encrypted by the KeyProvider.
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { decrypt, encrypt, type KeyProvider } from './keys';

export interface DeviceIdentity {
  publicKeyPem: string;
  /** base64 Ed25519 signature of a UTF-8 message. */
  sign(message: string): string;
}

const AAD = 'identity:1';

function fromPrivateKey(privateKey: KeyObject, publicKeyPem: string): DeviceIdentity {
  return {
    publicKeyPem,
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64'),
  };
}

/** Load the identity row, or create the key pair in the same call (idempotent under concurrent writers). */
export function loadOrCreateIdentity(db: Database.Database, keys: KeyProvider): DeviceIdentity {
  const read = () =>
    db.prepare('SELECT public_key_pem, private_key_enc FROM identity WHERE id = 1').get() as
      { public_key_pem: string; private_key_enc: Buffer } | undefined;
  let row = read();
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const publicKeyPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const privateDer = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    db.prepare('INSERT OR IGNORE INTO identity (id, public_key_pem, private_key_enc, created_at) VALUES (1, ?, ?, ?)').run(
      publicKeyPem,
      encrypt(keys.getKey(), privateDer, AAD),
      new Date().toISOString(),
    );
    row = read();
    if (!row) throw new Error('identity row missing after insert');
  }
  const der = decrypt(keys.getKey(), row.private_key_enc, AAD);
  return fromPrivateKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), row.public_key_pem);
}
