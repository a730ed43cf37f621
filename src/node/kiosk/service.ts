// The kiosk service behind the IPC contract: one session at a time, the engine, the decision core, the store and
// staff settings. Electron's ipc.ts and the browser host both call `handle`, so validation is identical.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { parseLivenessConfig } from '../../shared/config';
import { FEEDBACK_SENTENCES } from '../../shared/catalogue';
import { CodedError, toCodedError } from '../../shared/errors';
import {
  CONSENT_VERSION,
  channels,
  describeIssues,
  isChannel,
  type Channel,
  type Envelope,
  type EventName,
  type EventPayloadOf,
  type KioskSettings,
  type ParsedRequestOf,
  type PrivacyFacts,
  type StaffAuditEntry,
  type SyncStatus,
  type ResponseOf,
  type SessionOutcome,
  type SessionPlan,
  type SessionUpdate,
} from '../../shared/ipc-contract';
import { hashPin, verifyPin } from './pin';
import type { LivenessSession } from '../../liveness/types';
import type { CreateLivenessSession, DecisionStore, FrameEngine } from './ports';
import type { SettingsFile } from './settings-file';

export interface RequestContext {
  /** Who is asking: the Electron window or one WebSocket connection. Sessions belong to the client that started them. */
  clientId: string;
}

export type EventListener = <E extends EventName>(clientId: string, event: E, payload: EventPayloadOf<E>) => void;

export interface KioskServiceOptions {
  engine: FrameEngine;
  createSession: CreateLivenessSession;
  store: DecisionStore;
  settings: SettingsFile;
  /** Test mode: accept `testSeed` and liveness overrides in session.start (a host started with --test-seed only). */
  allowTestSeed?: boolean;
  /** What the consent screen must say: retention on the kiosk and where data is sent (from compose). */
  privacy?: PrivacyFacts;
  /** The background sync's state for the staff panel (absent: the kiosk does not sync). */
  syncStatus?: () => SyncStatus;
  /** Staff tokens expire after this many idle seconds. */
  staffIdleTimeoutS?: number;
  now?: () => number;
}

const MAX_WRONG_PINS = 5;
/** Retention stated when compose passes no privacy facts (the kiosk's own purge default, compose.ts). */
const DEFAULT_IMAGE_RETENTION_DAYS = 30;
/** Staff audit entries kept in the settings file (oldest dropped first). */
const MAX_AUDIT_ENTRIES = 500;
const PIN_LOCKOUT_MS = 60_000;
/** Each further lockout doubles, up to this: 5 guesses a minute would find a 6-digit PIN in weeks. */
const MAX_PIN_LOCKOUT_MS = 60 * 60_000;
/** Frames the core asked to retain per attempt (it keeps 8-12 as evidence; the bound guards memory). */
const MAX_FRAMES_KEPT = 240;

interface LiveSession {
  id: string;
  clientId: string;
  consented: boolean;
  core: LivenessSession;
  maxAttempts: number;
  busy: boolean;
  lastTimestampMs: number;
  /** JPEG bytes of the frames the core marked `retain`, by frameIndex (the reference image comes from here). */
  frames: Map<number, Uint8Array>;
  outcome: SessionOutcome | null;
}

export class KioskService {
  private session: LiveSession | null = null;
  private readonly listeners = new Set<EventListener>();
  private readonly staffTokens = new Map<string, number>();
  private wrongPins = 0;
  private lockedUntil = 0;
  private lockouts = 0;
  /** Unlock attempts run one at a time, so concurrent guesses cannot all slip past the lockout check. */
  private unlockQueue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly staffIdleMs: number;

  constructor(private readonly options: KioskServiceOptions) {
    this.now = options.now ?? Date.now;
    this.staffIdleMs = (options.staffIdleTimeoutS ?? 300) * 1000;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Parses the payload against the contract, runs the request and answers with the envelope; never throws. */
  async handle(channel: string, payload: unknown, context: RequestContext): Promise<Envelope<unknown>> {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown channel "${String(channel).slice(0, 64)}".` } };
    }
    const parsed = channels[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_PAYLOAD', message: `Invalid ${channel} request: ${describeIssues(parsed.error)}.` } };
    }
    try {
      const value = await this.dispatch(channel, parsed.data, context);
      // Responses are checked too: a broken part must fail here with a code, not confuse the renderer.
      const checked = channels[channel].response.safeParse(value);
      if (!checked.success) {
        console.error(`kiosk: ${channel} produced an invalid response: ${describeIssues(checked.error)}`);
        return { ok: false, error: { code: 'INTERNAL', message: 'The kiosk produced an invalid response.' } };
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      if (!(err instanceof CodedError)) console.error(`kiosk: ${channel} failed: ${(err as Error)?.message ?? String(err)}`);
      return { ok: false, error: toCodedError(err) };
    }
  }

  /** A client went away (WebSocket closed, window reloaded): its session is abandoned. */
  async disconnect(clientId: string): Promise<void> {
    if (this.session?.clientId === clientId) await this.abandonCurrent();
  }

  async close(): Promise<void> {
    await this.abandonCurrent();
    this.listeners.clear();
  }

  private dispatch<C extends Channel>(channel: C, request: ParsedRequestOf<C>, context: RequestContext): Promise<ResponseOf<C>>;
  private async dispatch(channel: Channel, request: never, context: RequestContext): Promise<unknown> {
    switch (channel) {
      case 'session.start':
        return this.startSession(request as ParsedRequestOf<'session.start'>, context);
      case 'session.consent':
        return this.consent(request as ParsedRequestOf<'session.consent'>, context);
      case 'session.frame':
        return this.frame(request as ParsedRequestOf<'session.frame'>, context);
      case 'session.flashStart': {
        const { sessionId, timestampMs } = request as ParsedRequestOf<'session.flashStart'>;
        const session = this.ownSession(sessionId, context);
        if (!session.consented || session.outcome) throw new CodedError('CONFLICT', 'No attempt is running for this session.');
        session.core.markFlashStart(timestampMs);
        return { ok: true };
      }
      case 'session.finish':
        return this.finish((request as ParsedRequestOf<'session.finish'>).sessionId, context);
      case 'session.abandon':
        return this.abandon((request as ParsedRequestOf<'session.abandon'>).sessionId, context);
      case 'session.retry':
        return this.retry((request as ParsedRequestOf<'session.retry'>).sessionId, context);
      case 'config.get':
        return this.options.settings.read().settings;
      case 'config.set':
        return this.setConfig(request as ParsedRequestOf<'config.set'>);
      case 'staff.unlock':
        return this.unlock((request as ParsedRequestOf<'staff.unlock'>).pin);
      case 'staff.setPin':
        return this.setPin(request as ParsedRequestOf<'staff.setPin'>);
      case 'staff.lock': {
        if (this.staffTokens.delete((request as ParsedRequestOf<'staff.lock'>).token)) this.audit('lock');
        return { ok: true };
      }
      case 'queue.status':
        this.requireStaff((request as ParsedRequestOf<'queue.status'>).token);
        this.requireChangedPin();
        return this.options.store.queueStatus();
      case 'decisions.recent': {
        const { token, limit } = request as ParsedRequestOf<'decisions.recent'>;
        this.requireStaff(token);
        this.requireChangedPin();
        return this.options.store.recentDecisions(limit);
      }
      case 'privacy.get':
        return this.options.privacy ?? { imageRetentionDays: DEFAULT_IMAGE_RETENTION_DAYS, syncServer: null };
      case 'sync.status':
        this.requireStaff((request as ParsedRequestOf<'sync.status'>).token);
        this.requireChangedPin();
        return this.options.syncStatus?.() ?? { server: null, lastSuccessAt: null, lastProblem: null, lastProblemAt: null };
      case 'staff.audit': {
        const { token, limit } = request as ParsedRequestOf<'staff.audit'>;
        this.requireStaff(token);
        this.requireChangedPin();
        return (this.options.settings.read().staffAudit ?? []).slice(-limit).reverse();
      }
    }
  }

  // --- sessions ----------------------------------------------------------------------------------------------

  private startSession(request: ParsedRequestOf<'session.start'>, context: RequestContext): SessionPlan {
    if (request.testSeed !== undefined && !this.options.allowTestSeed) {
      throw new CodedError('FORBIDDEN', 'A test seed is accepted only by a kiosk host started with --test-seed.');
    }
    // Outside tests a client may only ask for the no-flash path (equal assurance); everything else is staff config.
    const overrides = Object.keys(request.config ?? {}).filter((key) => key !== 'no_flash');
    if (overrides.length > 0 && !this.options.allowTestSeed) {
      throw new CodedError('FORBIDDEN', `Only staff can change ${overrides.join(', ')}; a session may ask for no_flash only.`);
    }
    const settings = this.options.settings.read().settings;
    let config;
    try {
      config = parseLivenessConfig({ ...settings.liveness, ...(request.config ?? {}) });
    } catch {
      throw new CodedError('INVALID_ARGUMENT', 'The liveness configuration is not valid (challenges must not repeat).');
    }
    // A new start replaces whatever session was running: a kiosk serves one person at a time.
    this.abandonCurrent();
    const id = randomUUID();
    const core = this.options.createSession(config, {
      sessionId: id,
      seed: request.testSeed,
      modelVersions: this.options.engine.modelVersions(),
    });
    this.session = { id, clientId: context.clientId, consented: false, core, maxAttempts: config.face_liveness_max_attempts, busy: false, lastTimestampMs: -1, frames: new Map(), outcome: null };
    return this.planOf(this.session);
  }

  private consent(request: ParsedRequestOf<'session.consent'>, context: RequestContext) {
    const session = this.ownSession(request.sessionId, context);
    if (request.consentVersion !== CONSENT_VERSION) {
      throw new CodedError('CONFLICT', `The consent text shown (version ${request.consentVersion}) is not the current one (${CONSENT_VERSION}).`);
    }
    if (!request.accepted) {
      // Declining ends the session before anything is captured; nothing is stored.
      this.session = null;
      return { sessionId: session.id, consented: false };
    }
    session.consented = true;
    return { sessionId: session.id, consented: true };
  }

  private async frame(request: ParsedRequestOf<'session.frame'>, context: RequestContext): Promise<SessionUpdate> {
    const session = this.ownSession(request.sessionId, context);
    if (!session.consented) throw new CodedError('FORBIDDEN', 'No frame is accepted before the person has given consent.');
    if (session.outcome) throw new CodedError('CONFLICT', 'This attempt is finished; start a retry or a new session.');
    // Drop rather than queue: the renderer sends the next frame when this one is answered.
    if (session.busy) throw new CodedError('RATE_LIMITED', 'The engine is still busy with the previous frame; this frame was dropped.');
    if (request.timestampMs < session.lastTimestampMs) {
      throw new CodedError('INVALID_ARGUMENT', 'Frame timestamps must not go backwards within a session.');
    }
    session.busy = true;
    let analysis;
    try {
      // One track per session: the detector runs every few frames (and whenever the face is lost), not on each one.
      analysis = await this.options.engine.analyzeImage(request.jpeg, { timestampMs: request.timestampMs, trackId: request.sessionId });
    } finally {
      session.busy = false;
    }
    // The session may have been abandoned, replaced or finished while the engine worked.
    if (this.session !== session || session.outcome) throw new CodedError('CONFLICT', 'The session ended while the frame was analysed.');
    session.lastTimestampMs = request.timestampMs;
    const core = session.core.pushFrame({ ...analysis, timestampMs: request.timestampMs });
    if (core.retain && session.frames.size < MAX_FRAMES_KEPT) session.frames.set(core.frameIndex, request.jpeg.slice());
    const update: SessionUpdate = {
      sessionId: session.id,
      timestampMs: request.timestampMs,
      phase: core.phase,
      guidance: core.guidance,
      currentChallenge: core.currentChallenge ?? null,
      challengeIndex: core.challengeIndex,
      challengesTotal: core.challengesTotal,
      challengeProgress: Math.min(1, Math.max(0, core.challengeProgress)),
      secondsLeft: Math.max(0, core.secondsLeft),
      flashStep: core.flashStep ?? null,
      done: core.done,
    };
    this.emit(session.clientId, 'session.update', update);
    if (update.done) await this.finish(session.id, context);
    return update;
  }

  private async finish(sessionId: string, context: RequestContext): Promise<SessionOutcome> {
    const session = this.ownSession(sessionId, context);
    if (session.outcome) return session.outcome;
    if (!session.consented) throw new CodedError('FORBIDDEN', 'A session without consent cannot be finished; abandon it instead.');
    if (session.busy) throw new CodedError('CONFLICT', 'A frame is still being analysed; finish again when it is answered.');
    const result = session.core.finish();
    const referenceIndex = result.reference_image?.frameIndex;
    const reference = referenceIndex === undefined ? undefined : session.frames.get(referenceIndex);
    session.frames = new Map();
    const canRetry = result.retry_allowed ?? (result.status === 'In Progress' && result.attempts_used < result.max_attempts);
    // A pending retry is not a decision yet; the last attempt (or a final status) is what the queue keeps.
    if (!canRetry) await this.options.store.recordDecision(result, reference);
    const outcome: SessionOutcome = {
      sessionId: session.id,
      result,
      canRetry,
      attemptsLeft: Math.max(0, result.max_attempts - result.attempts_used),
      feedback: result.feedback_codes.map((code) => ({ code, sentence: FEEDBACK_SENTENCES[code] })),
    };
    session.outcome = outcome;
    this.emit(session.clientId, 'session.result', outcome);
    return outcome;
  }

  private retry(sessionId: string, context: RequestContext): SessionPlan {
    const session = this.ownSession(sessionId, context);
    if (!session.outcome) throw new CodedError('CONFLICT', 'The current attempt is not finished yet.');
    if (!session.outcome.canRetry) throw new CodedError('FORBIDDEN', 'No retry is allowed for this session.');
    session.core.retry();
    session.outcome = null;
    session.lastTimestampMs = -1;
    session.frames = new Map();
    return this.planOf(session);
  }

  private async abandon(sessionId: string, context: RequestContext) {
    this.ownSession(sessionId, context);
    await this.abandonCurrent();
    return { ok: true as const };
  }

  /** Ends the running session; a consented, undecided one is recorded as Abandoned (no image kept). */
  private async abandonCurrent(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (!session || !session.consented || (session.outcome && !session.outcome.canRetry)) return;
    try {
      await this.options.store.recordDecision(session.core.abandon());
    } catch (err) {
      console.error(`kiosk: could not record an abandoned session: ${toCodedError(err).code}`);
    }
  }

  private planOf(session: LiveSession): SessionPlan {
    const plan = session.core.plan;
    return {
      sessionId: session.id,
      mode: plan.mode,
      challenges: plan.challenges,
      flash: plan.flash,
      attempt: session.core.attempt,
      maxAttempts: session.maxAttempts,
      challengeTimeoutS: plan.challengeWindowMs / 1000,
      consented: session.consented,
    };
  }

  private ownSession(sessionId: string, context: RequestContext): LiveSession {
    const session = this.session;
    if (!session || session.id !== sessionId || session.clientId !== context.clientId) {
      throw new CodedError('NOT_FOUND', 'No such session is running on this kiosk.');
    }
    return session;
  }

  private emit<E extends EventName>(clientId: string, event: E, payload: EventPayloadOf<E>): void {
    for (const listener of this.listeners) listener(clientId, event, payload);
  }

  // --- staff -----------------------------------------------------------------------------------------------------

  private unlock(pin: string) {
    const attempt = this.unlockQueue.then(() => this.unlockNow(pin));
    this.unlockQueue = attempt.catch(() => undefined);
    return attempt;
  }

  private async unlockNow(pin: string) {
    const now = this.now();
    if (now < this.lockedUntil) {
      throw new CodedError('RATE_LIMITED', `Too many wrong PINs; try again in ${Math.ceil((this.lockedUntil - now) / 1000)} s.`);
    }
    const state = this.options.settings.read();
    if (!(await verifyPin(pin, state.staffPinHash))) {
      this.wrongPins += 1;
      this.audit('wrong_pin');
      if (this.wrongPins >= MAX_WRONG_PINS) {
        this.wrongPins = 0;
        this.lockouts += 1;
        this.lockedUntil = this.now() + Math.min(MAX_PIN_LOCKOUT_MS, PIN_LOCKOUT_MS * 2 ** (this.lockouts - 1));
        this.audit('lockout');
      }
      throw new CodedError('UNAUTHORIZED', 'Wrong staff PIN.');
    }
    this.wrongPins = 0;
    this.lockouts = 0;
    const token = randomBytes(32).toString('hex');
    this.staffTokens.set(token, now + this.staffIdleMs);
    this.audit('unlock');
    return { token, expiresInS: Math.round(this.staffIdleMs / 1000), mustChangePin: state.pinMustChange };
  }

  private requireStaff(token: string): void {
    const now = this.now();
    let valid = false;
    for (const [known, expiresAt] of this.staffTokens) {
      if (expiresAt <= now) {
        this.staffTokens.delete(known);
        continue;
      }
      if (known.length === token.length && timingSafeEqual(Buffer.from(known), Buffer.from(token))) {
        valid = true;
        this.staffTokens.set(known, now + this.staffIdleMs);
      }
    }
    if (!valid) throw new CodedError('UNAUTHORIZED', 'Staff mode is locked; unlock it with the staff PIN.');
  }

  /** The default PIN is printed in the README: it opens nothing but the PIN change. */
  private requireChangedPin(): void {
    if (this.options.settings.read().pinMustChange) {
      throw new CodedError('FORBIDDEN', 'Change the default staff PIN before using staff mode.');
    }
  }

  private async setPin(request: ParsedRequestOf<'staff.setPin'>) {
    this.requireStaff(request.token);
    const state = this.options.settings.read();
    if (await verifyPin(request.newPin, state.staffPinHash)) {
      throw new CodedError('INVALID_ARGUMENT', 'The new PIN must differ from the current one.');
    }
    this.options.settings.write({ ...state, staffPinHash: await hashPin(request.newPin), pinMustChange: false });
    this.audit('pin_changed');
    return { ok: true as const };
  }

  private setConfig(request: ParsedRequestOf<'config.set'>): KioskSettings {
    this.requireStaff(request.token);
    this.requireChangedPin();
    const state = this.options.settings.read();
    const { liveness, ...rest } = request.patch;
    let merged;
    try {
      merged = parseLivenessConfig({ ...state.settings.liveness, ...(liveness ?? {}) });
    } catch {
      throw new CodedError('INVALID_ARGUMENT', 'The liveness configuration is not valid (challenges must not repeat).');
    }
    const settings: KioskSettings = { ...state.settings, ...rest, liveness: merged };
    this.options.settings.write({ ...state, settings });
    this.audit('settings_changed', changedFields(state.settings, settings));
    return settings;
  }

  /** Appends a staff action to the audit kept in the settings file (who: the kiosk; what; which settings). */
  private audit(action: StaffAuditEntry['action'], fields?: string[]): void {
    const state = this.options.settings.read();
    const entry: StaffAuditEntry = { at: new Date(this.now()).toISOString(), action, ...(fields ? { fields } : {}) };
    this.options.settings.write({ ...state, staffAudit: [...(state.staffAudit ?? []), entry].slice(-MAX_AUDIT_ENTRIES) });
  }
}

/** Names of the settings that differ (liveness fields by their own name). */
function changedFields(before: KioskSettings, after: KioskSettings): string[] {
  const flat = (s: KioskSettings): Record<string, string> => {
    const { liveness, ...rest } = s;
    return Object.fromEntries([...Object.entries(liveness), ...Object.entries(rest)].map(([k, v]) => [k, JSON.stringify(v)]));
  };
  const a = flat(before);
  const b = flat(after);
  return Object.keys(b).filter((key) => a[key] !== b[key]).slice(0, 16);
}
