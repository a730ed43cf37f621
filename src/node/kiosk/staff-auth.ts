// Staff authentication for the kiosk: PIN check with lockouts, and short-lived staff tokens. Kept apart from the
// session service so the session code never sees a PIN. Two lockouts: one per connection (in memory), so a customer
// guessing on one connection does not lock staff out of another; and one per kiosk, persisted in the state file
// so a restart does not reset it, capped in length and cleared early only by a new provisioning from the
// central service.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CodedError } from '../../shared/errors';
import { hashPin, verifyPin } from './pin';
import { NO_LOCKOUT, type LockoutState, type SettingsFile } from './settings-file';
import type { StaffAuditEntry } from '../../shared/ipc-contract';

/** Staff audit entries kept in the settings file (oldest dropped first). */
export const MAX_AUDIT_ENTRIES = 500;

/** Wrong PINs one connection may send before that connection is locked. */
export const MAX_WRONG_PINS_PER_CONNECTION = 5;
/** Wrong PINs across all connections before the whole kiosk locks (persisted). */
export const MAX_WRONG_PINS_PER_KIOSK = 20;
/** First lockout; each further one doubles. */
export const PIN_LOCKOUT_MS = 60_000;
/** Longest lockout: 5 guesses an hour would need years to find a 6-digit PIN. */
export const MAX_PIN_LOCKOUT_MS = 60 * 60_000;

export interface StaffAuthOptions {
  settings: SettingsFile;
  /** Staff tokens expire after this many idle seconds. */
  idleTimeoutS?: number;
  now?: () => number;
}

export interface StaffSession {
  token: string;
  expiresInS: number;
  mustChangePin: boolean;
}

export class StaffAuth {
  private readonly tokens = new Map<string, number>();
  private readonly connections = new Map<string, { wrongPins: number; lockouts: number; lockedUntil: number }>();
  /** Unlock attempts run one at a time, so concurrent guesses cannot all slip past the lockout check. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly idleMs: number;

  constructor(private readonly options: StaffAuthOptions) {
    this.now = options.now ?? Date.now;
    this.idleMs = (options.idleTimeoutS ?? 300) * 1000;
  }

  unlock(pin: string, clientId: string): Promise<StaffSession> {
    const attempt = this.queue.then(() => this.unlockNow(pin, clientId));
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  lock(token: string): void {
    if (this.tokens.delete(token)) this.record('lock');
  }

  /** Appends a staff action to the audit kept in the settings file (what, when, which settings; never a PIN). */
  record(action: StaffAuditEntry['action'], fields?: string[]): void {
    const state = this.options.settings.read();
    const entry: StaffAuditEntry = { at: new Date(this.now()).toISOString(), action, ...(fields ? { fields } : {}) };
    this.options.settings.write({ ...state, staffAudit: [...(state.staffAudit ?? []), entry].slice(-MAX_AUDIT_ENTRIES) });
  }

  /** The latest staff actions, newest first. */
  auditLog(limit: number): StaffAuditEntry[] {
    return (this.options.settings.read().staffAudit ?? []).slice(-limit).reverse();
  }

  /** A connection went away: its own lockout goes with it (the kiosk-wide one stays). */
  forget(clientId: string): void {
    this.connections.delete(clientId);
  }

  /** Throws unless the token is a live staff token; each use extends it. */
  require(token: string): void {
    const now = this.now();
    let valid = false;
    for (const [known, expiresAt] of this.tokens) {
      if (expiresAt <= now) {
        this.tokens.delete(known);
        continue;
      }
      if (known.length === token.length && timingSafeEqual(Buffer.from(known), Buffer.from(token))) {
        valid = true;
        this.tokens.set(known, now + this.idleMs);
      }
    }
    if (!valid) throw new CodedError('UNAUTHORIZED', 'Staff mode is locked; unlock it with the staff PIN.');
  }

  /** A staff token that still has to replace a PIN it was issued opens nothing else. */
  requireChangedPin(): void {
    if (this.options.settings.read().pinMustChange) {
      throw new CodedError('FORBIDDEN', 'Change the staff PIN before using staff mode.');
    }
  }

  async setPin(token: string, newPin: string): Promise<void> {
    this.require(token);
    const state = this.options.settings.read();
    if (state.staffPinHash && (await verifyPin(newPin, state.staffPinHash))) {
      throw new CodedError('INVALID_ARGUMENT', 'The new PIN must differ from the current one.');
    }
    this.options.settings.write({ ...state, staffPinHash: await hashPin(newPin), pinMustChange: false });
    this.record('pin_changed');
  }

  private async unlockNow(pin: string, clientId: string): Promise<StaffSession> {
    const now = this.now();
    const state = this.options.settings.read();
    if (!state.staffPinHash) {
      throw new CodedError(
        'FORBIDDEN',
        'This kiosk has not been provisioned yet: enrol it with the central service, which issues the staff PIN.',
      );
    }
    const connection = this.connections.get(clientId) ?? { wrongPins: 0, lockouts: 0, lockedUntil: 0 };
    const lockedUntil = Math.max(connection.lockedUntil, state.lockout.lockedUntil);
    if (now < lockedUntil) {
      throw new CodedError('RATE_LIMITED', `Too many wrong PINs; try again in ${Math.ceil((lockedUntil - now) / 1000)} s.`);
    }
    if (!(await verifyPin(pin, state.staffPinHash))) {
      this.connections.set(clientId, lockAfter(connection, MAX_WRONG_PINS_PER_CONNECTION, this.now()));
      const latest = this.options.settings.read();
      const lockout = lockAfter(latest.lockout, MAX_WRONG_PINS_PER_KIOSK, this.now());
      this.options.settings.write({ ...latest, lockout });
      this.record('wrong_pin');
      if (lockout.lockouts > latest.lockout.lockouts) this.record('lockout');
      throw new CodedError('UNAUTHORIZED', 'Wrong staff PIN.');
    }
    this.connections.delete(clientId);
    const latest = this.options.settings.read();
    if (latest.lockout.wrongPins > 0 || latest.lockout.lockouts > 0) this.options.settings.write({ ...latest, lockout: NO_LOCKOUT });
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, now + this.idleMs);
    this.record('unlock');
    return { token, expiresInS: Math.round(this.idleMs / 1000), mustChangePin: state.pinMustChange };
  }
}

/** One more wrong PIN: after `limit` of them a lockout starts, each one twice as long as the last, up to the cap. */
function lockAfter(state: LockoutState, limit: number, now: number): LockoutState {
  const wrongPins = state.wrongPins + 1;
  if (wrongPins < limit) return { ...state, wrongPins };
  const lockouts = state.lockouts + 1;
  return { wrongPins: 0, lockouts, lockedUntil: now + Math.min(MAX_PIN_LOCKOUT_MS, PIN_LOCKOUT_MS * 2 ** (lockouts - 1)) };
}
