// Short codes a person types at the kiosk: unambiguous characters, grouped for reading aloud, expiring.
import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L, or U/V: characters nobody misreads on a printed slip or a teller's screen. */
export const SHORT_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTWXYZ23456789';
/** 8 characters of 29: about 5e11 codes, against at most thousands live at once, and only enrolled kiosks may try one. */
export const SHORT_CODE_LENGTH = 8;
/** How long a code and its QR token can be taken: a customer walking from the counter to the kiosk. */
export const SHORT_CODE_TTL_MS = 30 * 60 * 1000;

/** e.g. "K7QM-3XPA". */
export function newShortCode(): string {
  let code = '';
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) code += SHORT_CODE_ALPHABET[randomInt(SHORT_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What the person typed, as stored: upper case, the dash and spaces optional. Null when it cannot be a code. */
export function normalizeShortCode(typed: string): string | null {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  if (bare.length !== SHORT_CODE_LENGTH || [...bare].some((c) => !SHORT_CODE_ALPHABET.includes(c))) return null;
  return `${bare.slice(0, 4)}-${bare.slice(4)}`;
}
