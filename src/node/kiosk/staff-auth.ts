// Staff authentication for the kiosk: PIN check with lockout, and short-lived staff tokens. Kept apart from the
// session service so the session code never sees a PIN.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CodedError } from '../../shared/errors';
import { hashPin, verifyPin } from './pin';
import type { SettingsFile } from './settings-file';

/** Wrong PINs before staff mode locks. */
export const MAX_WRONG_PINS = 5;
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
  private wrongPins = 0;
  private lockedUntil = 0;
  private lockouts = 0;
  /** Unlock attempts run one at a time, so concurrent guesses cannot all slip past the lockout check. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly idleMs: number;

  constructor(private readonly options: StaffAuthOptions) {
    this.now = options.now ?? Date.now;
    this.idleMs = (options.idleTimeoutS ?? 300) * 1000;
  }

  unlock(pin: string): Promise<StaffSession> {
    const attempt = this.queue.then(() => this.unlockNow(pin));
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  lock(token: string): void {
    this.tokens.delete(token);
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
    if (await verifyPin(newPin, state.staffPinHash)) {
      throw new CodedError('INVALID_ARGUMENT', 'The new PIN must differ from the current one.');
    }
    this.options.settings.write({ ...state, staffPinHash: await hashPin(newPin), pinMustChange: false });
  }

  private async unlockNow(pin: string): Promise<StaffSession> {
    const now = this.now();
    if (now < this.lockedUntil) {
      throw new CodedError('RATE_LIMITED', `Too many wrong PINs; try again in ${Math.ceil((this.lockedUntil - now) / 1000)} s.`);
    }
    const state = this.options.settings.read();
    if (!(await verifyPin(pin, state.staffPinHash))) {
      this.wrongPins += 1;
      if (this.wrongPins >= MAX_WRONG_PINS) {
        this.wrongPins = 0;
        this.lockouts += 1;
        this.lockedUntil = this.now() + Math.min(MAX_PIN_LOCKOUT_MS, PIN_LOCKOUT_MS * 2 ** (this.lockouts - 1));
      }
      throw new CodedError('UNAUTHORIZED', 'Wrong staff PIN.');
    }
    this.wrongPins = 0;
    this.lockouts = 0;
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, now + this.idleMs);
    return { token, expiresInS: Math.round(this.idleMs / 1000), mustChangePin: state.pinMustChange };
  }
}
