// Public-key helpers shared by the kiosk's key holders (workflow signing, capture packs): one key id, one PEM reader.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CodedError } from '../shared/errors';

/** First 16 hex characters of sha256 over the key's SPKI DER: the id an envelope or a pack names its key by. */
export function publicKeyId(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export interface PemKeyRules {
  half: 'public' | 'private';
  algorithm: 'ed25519' | 'x25519';
  /** What the INVALID_ARGUMENT error says when the text is no PEM key, and when the key is of another algorithm. */
  notPem: string;
  wrongAlgorithm: string;
}

/** A PEM key of the one algorithm its purpose allows; throws INVALID_ARGUMENT with the purpose's own wording. */
export function readPemKey(pem: string, rules: PemKeyRules): KeyObject {
  let key: KeyObject;
  try {
    key = rules.half === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch (err) {
    throw new CodedError('INVALID_ARGUMENT', rules.notPem, { cause: err });
  }
  if (key.asymmetricKeyType !== rules.algorithm) throw new CodedError('INVALID_ARGUMENT', rules.wrongAlgorithm);
  return key;
}
