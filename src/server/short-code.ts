// Short codes a person types at the kiosk: unambiguous characters, grouped for reading aloud, expiring.
import { randomInt } from 'node:crypto';
import { SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH } from '../shared/short-code';

export { normalizeShortCode, SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH } from '../shared/short-code';
/** How long a code and its QR token can be taken: a customer walking from the counter to the kiosk. */
export const SHORT_CODE_TTL_MS = 30 * 60 * 1000;

/** e.g. "K7QM-3XPA". */
export function newShortCode(): string {
  let code = '';
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) code += SHORT_CODE_ALPHABET[randomInt(SHORT_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
