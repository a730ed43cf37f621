// The kiosk service behind the IPC contract: one session at a time, the engine, the decision core, the store and
// staff settings. Electron's ipc.ts and the browser host both call `handle`, so validation is identical.
import { randomUUID } from 'node:crypto';
import type { LivenessResult } from '../../shared/result';
import { livenessSettingsSchema, parseLivenessConfig, type LivenessConfig } from '../../shared/config';
import { assuranceLoweredBy } from './assurance';
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
  type BranchClaim,
  type KioskSettings,
  type ParsedRequestOf,
  type PrivacyFacts,
  type SyncStatus,
  type ResponseOf,
  type SessionOutcome,
  type SessionPlan,
  type SessionUpdate,
} from '../../shared/ipc-contract';
import { StaffAuth } from './staff-auth';
import type { LivenessSession } from '../../liveness/types';
import type { CreateLivenessSession, DecisionStore, FrameEngine } from './ports';
import type { SettingsFile } from './settings-file';
import type { PilotRecorder } from '../calibration/recorder';
import { logger } from '../logging';
import type { BranchSessions, TakenBranchSession } from './branch-session';
import { applyFaceMatch, type FaceMatchScorer } from './branch-session-face-match';
import { CameraTrust } from './camera-trust';
import { AttemptStream, applyStreamVerdict } from './camera-injection';

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
  /** Screens a final decision before it is recorded (the offline face blocklist, ./blocklist.ts). */
  screenDecision?: (result: LivenessResult, referenceJpeg: Uint8Array | undefined) => Promise<LivenessResult>;
  /** Pilot capture (staff-armed capture packs); absent when the kiosk has no pack recipient key. */
  pilot?: PilotRecorder;
  /** Branch sessions taken by short code or QR ticket (./branch-session.ts); absent: walk-in sessions only. */
  branchSessions?: BranchSessions;
  /** The 1:1 face match of a branch session that carries a reference photo. */
  faceMatch?: FaceMatchScorer;
  /** Camera trust: accept Chromium's fake camera (--allow-fake-camera; a --test-seed host accepts it too). */
  allowFakeCamera?: boolean;
  /** Where the OS lists video4linux devices (tests pass a fake sysfs tree). */
  sysfsRoot?: string;
}

/** Retention stated when compose passes no privacy facts (the kiosk's own purge default, compose.ts). */
const DEFAULT_IMAGE_RETENTION_DAYS = 30;
/** A session whose owner sent nothing for this long may be replaced by another screen (a page that hung). */
const SESSION_IDLE_TAKEOVER_MS = 2 * 60_000;
/** Frames the core asked to retain per attempt (it keeps 8-12 as evidence; the bound guards memory). */
const MAX_FRAMES_KEPT = 240;

type Handler<C extends Channel> = (request: ParsedRequestOf<C>, context: RequestContext) => ResponseOf<C> | Promise<ResponseOf<C>>;
type Handlers = { [C in Channel]: Handler<C> };

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
  /** Last request of its owner (epoch ms). */
  lastActivityMs: number;
  /** The central session this one runs (taken by code or QR); absent for a walk-in. */
  branch?: TakenBranchSession;
  /** Stream-injection checks over this attempt's frames. */
  stream: AttemptStream;
}

export class KioskService {
  private session: LiveSession | null = null;
  private readonly listeners = new Set<EventListener>();
  private readonly staff: StaffAuth;
  private readonly now: () => number;
  private readonly camera: CameraTrust;

  constructor(private readonly options: KioskServiceOptions) {
    this.now = options.now ?? Date.now;
    this.staff = new StaffAuth({ settings: options.settings, idleTimeoutS: options.staffIdleTimeoutS, now: options.now });
    this.camera = new CameraTrust({
      settings: options.settings,
      allowFakeCamera: options.allowFakeCamera || options.allowTestSeed,
      sysfsRoot: options.sysfsRoot,
      now: options.now,
    });
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
        logger('kiosk').error({ channel, issues: describeIssues(checked.error) }, 'a channel produced an invalid response');
        return { ok: false, error: { code: 'INTERNAL', message: 'The kiosk produced an invalid response.' } };
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      if (!(err instanceof CodedError)) logger('kiosk').error({ channel, err }, 'a channel failed');
      return { ok: false, error: toCodedError(err) };
    }
  }

  /** A client went away (WebSocket closed, window reloaded): its session is abandoned. */
  async disconnect(clientId: string): Promise<void> {
    this.staff.forget(clientId);
    if (this.session?.clientId === clientId) await this.abandonCurrent();
  }

  async close(): Promise<void> {
    await this.abandonCurrent();
    this.listeners.clear();
  }

  /** One typed handler per contract channel: the compiler checks each request and response type. */
  private readonly handlers: Handlers = {
    'session.start': (request, context) => this.startSession(request, context),
    'branch.claim': (request, context) => this.claimBranchSession(request, context),
    'session.consent': (request, context) => this.consent(request, context),
    'session.frame': (request, context) => this.frame(request, context),
    'session.flashStart': ({ sessionId, timestampMs }, context) => {
      const session = this.ownSession(sessionId, context);
      if (!session.consented || session.outcome) throw new CodedError('CONFLICT', 'No attempt is running for this session.');
      session.core.markFlashStart(timestampMs);
      this.options.pilot?.flashStarted(sessionId, timestampMs);
      return { ok: true };
    },
    'session.camera': ({ sessionId, ...lock }, context) => {
      this.ownSession(sessionId, context);
      this.options.pilot?.camera(sessionId, {
        exposure_supported: lock.exposureSupported,
        exposure_locked: lock.exposureLocked,
        white_balance_supported: lock.whiteBalanceSupported,
        white_balance_locked: lock.whiteBalanceLocked,
      });
      return { ok: true };
    },
    'pilot.arm': (request) => this.pilotRequest('pilot.arm', request),
    'pilot.disarm': (request) => this.pilotRequest('pilot.disarm', request),
    'pilot.status': (request) => this.pilotRequest('pilot.status', request),
    'session.finish': ({ sessionId }, context) => this.finish(sessionId, context),
    'session.abandon': ({ sessionId }, context) => this.abandon(sessionId, context),
    'session.retry': ({ sessionId }, context) => this.retry(sessionId, context),
    'config.get': () => this.options.settings.read().settings,
    'config.set': (request) => this.setConfig(request),
    'staff.unlock': ({ pin }, context) => this.staff.unlock(pin, context.clientId),
    'staff.setPin': async ({ token, newPin }) => {
      await this.staff.setPin(token, newPin);
      return { ok: true };
    },
    'staff.lock': ({ token }) => {
      this.staff.lock(token);
      return { ok: true };
    },
    'queue.status': ({ token }) => {
      this.staff.require(token);
      this.staff.requireChangedPin();
      return this.options.store.queueStatus();
    },
    'decisions.recent': ({ token, limit }) => {
      this.staff.require(token);
      this.staff.requireChangedPin();
      return this.options.store.recentDecisions(limit);
    },
    'privacy.get': () => this.options.privacy ?? { imageRetentionDays: DEFAULT_IMAGE_RETENTION_DAYS, syncServer: null },
    'sync.status': ({ token }) => {
      this.staff.require(token);
      this.staff.requireChangedPin();
      return this.options.syncStatus?.() ?? { server: null, lastSuccessAt: null, lastProblem: null, lastProblemAt: null };
    },
    'staff.audit': ({ token, limit }) => {
      this.staff.require(token);
      this.staff.requireChangedPin();
      return this.staff.auditLog(limit);
    },
    'camera.status': () => this.camera.status(),
    'camera.check': (camera) => this.camera.check(camera),
    'camera.pin': ({ token, camera }) => {
      this.staff.require(token);
      this.staff.requireChangedPin();
      const pinned = this.camera.pin(camera);
      this.staff.record('camera_pinned');
      return pinned;
    },
  };

  private dispatch<C extends Channel>(channel: C, request: ParsedRequestOf<C>, context: RequestContext): Promise<ResponseOf<C>> {
    const handler = this.handlers[channel] as Handler<C>;
    return Promise.resolve(handler(request, context));
  }

  // --- sessions ----------------------------------------------------------------------------------------------

  private async startSession(request: ParsedRequestOf<'session.start'>, context: RequestContext): Promise<SessionPlan> {
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
    return this.openSession(config, randomUUID(), context, request.testSeed);
  }

  private async openSession(
    config: LivenessConfig,
    id: string,
    context: RequestContext,
    testSeed?: string,
    branch?: TakenBranchSession,
  ): Promise<SessionPlan> {
    // One owner per session: another client cannot end the person's session by starting its own. The owner's
    // own new start replaces it (a kiosk serves one person at a time).
    if (this.session && this.session.clientId !== context.clientId && this.isInProgress(this.session)) {
      throw new CodedError('CONFLICT', 'Another screen is running a session on this kiosk.');
    }
    await this.abandonCurrent();
    const core = this.options.createSession(config, {
      sessionId: id,
      seed: testSeed,
      modelVersions: this.options.engine.modelVersions(),
    });
    this.session = {
      id,
      clientId: context.clientId,
      consented: false,
      core,
      maxAttempts: config.face_liveness_max_attempts,
      busy: false,
      lastTimestampMs: -1,
      frames: new Map(),
      outcome: null,
      lastActivityMs: this.now(),
      branch,
      stream: new AttemptStream(),
    };
    this.options.pilot?.sessionStarted(id, core.plan, config, this.options.engine.modelVersions());
    return this.planOf(this.session);
  }

  /** A teller's session, by the code typed or the QR shown: it runs that session's signed workflow under its attempt id. */
  private async claimBranchSession(request: ParsedRequestOf<'branch.claim'>, context: RequestContext): Promise<BranchClaim> {
    if (!this.options.branchSessions) return { taken: false, reason: 'not_connected' };
    const outcome = await this.options.branchSessions.take(request);
    if (!outcome.taken) return outcome;
    const { session } = outcome;
    const plan = await this.openSession(parseLivenessConfig(session.settings), session.attemptId, context, undefined, session);
    return { taken: true, plan, offline: session.offline, faceMatch: Boolean(session.settings.face_match?.enabled) };
  }

  private consent(request: ParsedRequestOf<'session.consent'>, context: RequestContext) {
    const session = this.ownSession(request.sessionId, context);
    if (request.consentVersion !== CONSENT_VERSION) {
      throw new CodedError(
        'CONFLICT',
        `The consent text shown (version ${request.consentVersion}) is not the current one (${CONSENT_VERSION}).`,
      );
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
      [analysis] = await Promise.all([
        this.options.engine.analyzeImage(request.jpeg, { timestampMs: request.timestampMs, trackId: request.sessionId }),
        session.stream.observe(request.jpeg, request.timestampMs),
      ]);
    } finally {
      session.busy = false;
    }
    // The session may have been abandoned, replaced or finished while the engine worked.
    if (this.session !== session || session.outcome) throw new CodedError('CONFLICT', 'The session ended while the frame was analysed.');
    session.lastTimestampMs = request.timestampMs;
    const core = session.core.pushFrame({ ...analysis, timestampMs: request.timestampMs });
    if (core.retain && session.frames.size < MAX_FRAMES_KEPT) session.frames.set(core.frameIndex, request.jpeg.slice());
    this.options.pilot?.frame(session.id, request.timestampMs, request.jpeg, analysis);
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
    const decided = applyStreamVerdict(session.core.finish(), session.stream.verdict());
    const referenceIndex = decided.reference_image?.frameIndex;
    const reference = referenceIndex === undefined ? undefined : session.frames.get(referenceIndex);
    session.frames = new Map();
    const mayRetry = decided.retry_allowed ?? (decided.status === 'In Progress' && decided.attempts_used < decided.max_attempts);
    const screened = !mayRetry && this.options.screenDecision ? await this.options.screenDecision(decided, reference) : decided;
    const result = !mayRetry ? await this.matchBranchFace(session, screened, reference) : screened;
    const canRetry = mayRetry && result === decided;
    // A pending retry is not a decision yet; the last attempt (or a final status) is what the queue keeps.
    if (!canRetry) await this.options.store.recordDecision(result, reference);
    this.sealPilotPack(session.id, result, !canRetry);
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

  /** A branch session whose workflow turns on the 1:1 face match: the score and status go into the record. */
  private async matchBranchFace(session: LiveSession, result: LivenessResult, reference: Uint8Array | undefined): Promise<LivenessResult> {
    const check = session.branch?.settings.face_match;
    if (!check?.enabled || result.status === 'Abandoned') return result;
    const portrait = session.branch?.portrait;
    const score = portrait && reference && this.options.faceMatch ? await this.options.faceMatch(portrait, reference) : null;
    return applyFaceMatch(result, score, check.threshold);
  }

  private retry(sessionId: string, context: RequestContext): SessionPlan {
    const session = this.ownSession(sessionId, context);
    if (!session.outcome) throw new CodedError('CONFLICT', 'The current attempt is not finished yet.');
    if (!session.outcome.canRetry) throw new CodedError('FORBIDDEN', 'No retry is allowed for this session.');
    session.core.retry();
    this.options.pilot?.retried(session.id, session.core.plan);
    session.outcome = null;
    session.lastTimestampMs = -1;
    session.frames = new Map();
    session.stream.reset();
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
    if (session) this.options.pilot?.abandoned(session.id);
    if (!session || !session.consented || (session.outcome && !session.outcome.canRetry)) return;
    try {
      await this.options.store.recordDecision(session.core.abandon());
    } catch (err) {
      logger('kiosk').error({ code: toCodedError(err).code }, 'could not record an abandoned session');
    }
  }

  /** A consented session still deciding, touched recently: only its owner may end it. */
  private isInProgress(session: LiveSession): boolean {
    const decided = session.outcome !== null && !session.outcome.canRetry;
    return session.consented && !decided && this.now() - session.lastActivityMs < SESSION_IDLE_TAKEOVER_MS;
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
    session.lastActivityMs = this.now();
    return session;
  }

  private emit<E extends EventName>(clientId: string, event: E, payload: EventPayloadOf<E>): void {
    for (const listener of this.listeners) listener(clientId, event, payload);
  }

  // --- pilot capture ---------------------------------------------------------------------------------------------

  private pilotRequest(
    channel: 'pilot.arm' | 'pilot.disarm' | 'pilot.status',
    request: ParsedRequestOf<'pilot.arm' | 'pilot.disarm' | 'pilot.status'>,
  ) {
    this.staff.require(request.token);
    this.staff.requireChangedPin();
    const pilot = this.options.pilot;
    if (!pilot) {
      if (channel === 'pilot.status') return { enabled: false, armed: null, recording: false, packsWritten: 0, lastPack: null };
      throw new CodedError('FORBIDDEN', 'Pilot capture is off on this kiosk: start it with a pack recipient key (--pack-recipient).');
    }
    if (channel === 'pilot.arm') {
      const { label, subjectRef } = request as ParsedRequestOf<'pilot.arm'>;
      pilot.arm({ label, subjectRef });
    } else if (channel === 'pilot.disarm') pilot.disarm();
    return pilot.status();
  }

  /** A recorded pilot session is sealed into its pack; a failure to write it never loses the decision itself. */
  private sealPilotPack(sessionId: string, result: SessionOutcome['result'], final: boolean): void {
    try {
      this.options.pilot?.finished(sessionId, result, final);
    } catch (err) {
      logger('kiosk').error({ code: toCodedError(err).code }, 'the pilot capture pack could not be written');
    }
  }

  private setConfig(request: ParsedRequestOf<'config.set'>): KioskSettings {
    this.staff.require(request.token);
    this.staff.requireChangedPin();
    const state = this.options.settings.read();
    const { liveness, ...rest } = request.patch;
    let merged;
    try {
      merged = parseLivenessConfig({ ...state.settings.liveness, ...(liveness ?? {}) });
    } catch {
      throw new CodedError('INVALID_ARGUMENT', 'The liveness configuration is not valid (challenges must not repeat).');
    }
    // The signed workflow is the floor (the settings in force when there is none): staff may only raise assurance.
    const floor = state.workflow ? livenessSettingsSchema.parse(state.workflow.payload.settings) : state.settings.liveness;
    const lowered = assuranceLoweredBy(floor, merged);
    if (lowered.length > 0) {
      throw new CodedError('FORBIDDEN', `Only a signed workflow from the central service can lower assurance (${lowered.join(', ')}).`);
    }
    const settings: KioskSettings = { ...state.settings, ...rest, liveness: merged };
    this.options.settings.write({ ...state, settings });
    this.staff.record('settings_changed', changedFields(state.settings, settings));
    return settings;
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
  return Object.keys(b)
    .filter((key) => a[key] !== b[key])
    .slice(0, 16);
}
