// A branch session's short code as a person types it at the kiosk: the alphabet, the length, and the normalised
// form the server stores. PURE: the server draws codes, the kiosk's keypad offers only these characters.

/** No 0/O, 1/I/L, or U/V: characters nobody misreads on a printed slip or a teller's screen. */
export const SHORT_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTWXYZ23456789';
/** 8 characters of 29: about 5e11 codes, against at most thousands live at once, and only enrolled kiosks may try one. */
export const SHORT_CODE_LENGTH = 8;

/** What the person typed, as stored ("K7QM-3XPA"): upper case, the dash and spaces optional. Null when it cannot be a code. */
export function normalizeShortCode(typed: string): string | null {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  if (bare.length !== SHORT_CODE_LENGTH || [...bare].some((c) => !SHORT_CODE_ALPHABET.includes(c))) return null;
  return `${bare.slice(0, 4)}-${bare.slice(4)}`;
}
