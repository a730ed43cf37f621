// The short reference number a person reads out to staff; staff find the session by it (its id starts with it).

/** The session id's first 8 hex digits as XXXX-XXXX (a UUID's dashes ignored); ids without 8 hex digits pass through upper-cased. */
export function referenceNumber(sessionId: string): string {
  const hex = sessionId.replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length < 8) return sessionId.toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
}
