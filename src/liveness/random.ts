// Randomness for the session: the platform CSPRNG, or a ChaCha20 stream keyed by a seed (reproducible, still unpredictable
// without the seed). PURE: no node:crypto; globalThis.crypto exists in Node >= 19, Electron and browsers.
import { CodedError } from '../shared/errors';
import type { RandomSource } from './types';

/** The platform CSPRNG. */
export const cryptoRandom: RandomSource = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  const webCrypto = globalThis.crypto;
  if (!webCrypto?.getRandomValues) throw new CodedError('INTERNAL', 'No cryptographic random source is available.');
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < n; offset += 65536) webCrypto.getRandomValues(out.subarray(offset, Math.min(n, offset + 65536)));
  return out;
};

const rotl = (v: number, c: number): number => ((v << c) | (v >>> (32 - c))) >>> 0;

/** One ChaCha20 block (RFC 8439): 16 words of key stream for key (8 words), counter, nonce (3 words). */
function chachaBlock(key: Uint32Array, counter: number, nonce: Uint32Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = 0x61707865;
  s[1] = 0x3320646e;
  s[2] = 0x79622d32;
  s[3] = 0x6b206574;
  s.set(key, 4);
  s[12] = counter >>> 0;
  s.set(nonce, 13);
  const x = Uint32Array.from(s);
  const qr = (a: number, b: number, c: number, d: number): void => {
    x[a] = (x[a] + x[b]) >>> 0;
    x[d] = rotl(x[d] ^ x[a], 16);
    x[c] = (x[c] + x[d]) >>> 0;
    x[b] = rotl(x[b] ^ x[c], 12);
    x[a] = (x[a] + x[b]) >>> 0;
    x[d] = rotl(x[d] ^ x[a], 8);
    x[c] = (x[c] + x[d]) >>> 0;
    x[b] = rotl(x[b] ^ x[c], 7);
  };
  for (let round = 0; round < 10; round++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) x[i] = (x[i] + s[i]) >>> 0;
  return x;
}

/** Fold any seed string into a 256-bit key by chaining ChaCha20 blocks over its UTF-8 bytes (a small sponge). */
function keyFromSeed(seed: string): Uint32Array {
  const bytes = new TextEncoder().encode(seed);
  let key = new Uint32Array(8);
  const nonce = new Uint32Array([0x5eed, bytes.length, 0]);
  for (let offset = 0; offset <= bytes.length; offset += 32) {
    const chunk = new Uint32Array(8);
    for (let i = 0; i < 32 && offset + i < bytes.length; i++) chunk[i >> 2] |= bytes[offset + i] << (8 * (i & 3));
    for (let i = 0; i < 8; i++) key[i] ^= chunk[i];
    key = chachaBlock(key, offset / 32, nonce).slice(0, 8);
  }
  return key;
}

/** A deterministic random stream from a seed: same seed, same bytes. */
export function seededRandom(seed: string): RandomSource {
  const key = keyFromSeed(seed);
  const nonce = new Uint32Array(3);
  let counter = 0;
  let buffer: Uint8Array = new Uint8Array(0);
  let position = 0;
  return (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (position >= buffer.length) {
        buffer = new Uint8Array(chachaBlock(key, counter++, nonce).buffer);
        position = 0;
      }
      out[i] = buffer[position++];
    }
    return out;
  };
}

function uint32(random: RandomSource): number {
  const b = random(4);
  return ((b[0] & 0xff) | ((b[1] & 0xff) << 8) | ((b[2] & 0xff) << 16) | ((b[3] & 0xff) << 24)) >>> 0;
}

/** Uniform integer in [0, n) without modulo bias (rejection sampling). */
export function randomInt(random: RandomSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new CodedError('INVALID_ARGUMENT', `randomInt needs 1 <= n <= 2^32, got ${n}.`);
  const limit = Math.floor(2 ** 32 / n) * n;
  for (;;) {
    const v = uint32(random);
    if (v < limit) return v % n;
  }
}

/** Uniform float in [0, 1) with 32 bits of resolution. */
export function randomUnit(random: RandomSource): number {
  return uint32(random) / 2 ** 32;
}

/** Fisher-Yates shuffle into a new array: every order equally likely. */
export function shuffled<T>(random: RandomSource, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function randomHex(random: RandomSource, bytes: number): string {
  return Array.from(random(bytes), (b) => (b & 0xff).toString(16).padStart(2, '0')).join('');
}
