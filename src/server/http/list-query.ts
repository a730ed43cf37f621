// Query-string pieces the API's session list (/v3/sessions/) and the console's share: a page, and date bounds.
import { z } from 'zod';
import { CodedError } from '../../shared/errors';

/** A page of a list: at most 500 rows, 50 unless asked. */
export const pageQueryFields = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

/** A date bound as the client wrote it; isoDateBound reads it. */
export const dateQueryField = z.string().max(64).optional();

/** An empty bound is no bound; any other must parse as a date (the error shows `example`, the formats the caller takes). */
export function isoDateBound(value: string | undefined, name: string, example: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CodedError('INVALID_ARGUMENT', `${name} must be a date (ISO 8601, e.g. ${example}).`);
  return new Date(at).toISOString();
}
