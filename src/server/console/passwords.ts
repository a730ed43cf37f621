// Console passwords: argon2id (memory-hard), parameters named here so a deployment can see and raise them.
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { CodedError } from '../../shared/errors';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot import by name). */
const ARGON2ID = 2 as Algorithm;

/**
 * OWASP's argon2id floor (Password Storage Cheat Sheet) is 19 MiB, 2 passes, 1 lane; raised to 64 MiB and 3 passes so
 * each guess costs a cracker 64 MiB of memory. Stored in the PHC string, so raising them later re-hashes nothing old.
 */
export const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 64 * 1024, timeCost: 3, parallelism: 1 };

/** NIST SP 800-63B: at least 8 characters; staff accounts with review power get 12. */
export const MIN_PASSWORD_LENGTH = 12;
/** argon2 hashes whatever it is given; an unbounded password would be a cheap way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 256;

export function assertAcceptablePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new CodedError('INVALID_ARGUMENT', `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new CodedError('INVALID_ARGUMENT', `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
}

export function hashPassword(password: string): Promise<string> {
  assertAcceptablePassword(password);
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the username is unknown, so timing does not reveal accounts. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hash(`decoy-${Math.random()}-${Date.now()}-padding`, ARGON2_OPTIONS);
  return decoy;
}
