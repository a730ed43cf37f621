// One key id and one PEM reader for the kiosk's keys: the pack keys (X25519) and the workflow-signing key (Ed25519)
// keep their own wording in the errors, and the key id is the one the server puts in its envelopes.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyId, readPemKey } from '../../src/node/keys';
import { readPrivateKey, readPublicKey } from '../../src/node/calibration/pack';
import { parseWorkflowKey, workflowKeyId } from '../../src/node/kiosk/workflow-trust';
import { keyIdOf } from '../../src/server/signing';

const pem = (pair: ReturnType<typeof generateKeyPairSync>) => ({
  publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});
const x25519 = pem(generateKeyPairSync('x25519'));
const ed25519 = pem(generateKeyPairSync('ed25519'));

describe('kiosk key helpers', () => {
  it('names a public key by the first 16 hex characters of sha256 over its SPKI DER, as the server does', () => {
    const key = parseWorkflowKey(ed25519.publicPem);
    expect(publicKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(publicKeyId(key)).toBe(keyIdOf(key));
    expect(workflowKeyId(key)).toBe(keyIdOf(key));
    expect(publicKeyId(readPublicKey(x25519.publicPem))).not.toBe(publicKeyId(key));
  });

  it('reads a PEM key of the one algorithm asked for, either half', () => {
    const rules = { algorithm: 'x25519', notPem: 'not pem', wrongAlgorithm: 'wrong' } as const;
    expect(readPemKey(x25519.publicPem, { ...rules, half: 'public' }).type).toBe('public');
    expect(readPemKey(x25519.privatePem, { ...rules, half: 'private' }).type).toBe('private');
    expect(() => readPemKey('no key', { ...rules, half: 'public' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'not pem' }),
    );
    expect(() => readPemKey(ed25519.publicPem, { ...rules, half: 'public' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'wrong' }),
    );
  });

  it('keeps each key its own wording when it is refused', () => {
    expect(() => readPublicKey('no key')).toThrow('The pack recipient key is not a PEM public key.');
    expect(() => readPublicKey(ed25519.publicPem)).toThrow(
      'The pack recipient key must be an X25519 public key (liveness calibrate keygen).',
    );
    expect(() => readPrivateKey('no key')).toThrow('The pack key is not a PEM private key.');
    expect(() => readPrivateKey(ed25519.privatePem)).toThrow('The pack key must be an X25519 private key (liveness calibrate keygen).');
    expect(() => parseWorkflowKey('no key')).toThrow('The workflow-signing key is not a valid public key (PEM).');
    expect(() => parseWorkflowKey(x25519.publicPem)).toThrow('The workflow-signing key must be an Ed25519 key.');
  });
});
