// The kiosk API contract: one channel map shared by the Electron IPC glue, the browser host's WebSocket and the
// renderer. Every request payload and every response is parsed against these schemas in the main process / host.
import { z } from 'zod';
import { CHALLENGES, FEEDBACK_CODES, LIVENESS_MODES, STATUSES } from './catalogue';
import { ERROR_CODES, type CodedErrorShape } from './errors';
import { flashSequenceSchema, livenessResultSchema } from './result';
import { livenessOverridesSchema, livenessSettingsSchema } from './config';
import { CAPTURE_LABELS, SUBJECT_REF_PATTERN } from './capture';
import { cameraCheckSchema, cameraStatusSchema, openedCameraSchema, pinnedCameraSchema } from './camera-trust';

export const CHANNEL_PREFIX = 'kiosk:';
/** Electron channel that carries every main -> renderer event ({event, payload}). */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;
/** Path of the browser host's WebSocket endpoint. */
export const WS_PATH = '/api/ws';
/** The meta tag the browser host puts in the page it serves: the per-launch secret only that page learns. */
export const LAUNCH_TOKEN_META = 'kiosk-launch-token';
/** The WebSocket subprotocol prefix that carries that secret (a browser cannot set other headers on an upgrade). */
export const LAUNCH_TOKEN_PROTOCOL = 'kiosk-launch.';
/** Electron channel on which the preload asks main for the per-launch secret (answered to the kiosk page only). */
export const LAUNCH_SECRET_CHANNEL = 'kiosk-launch:secret';

/** Version of the consent text the renderer shows; bump it whenever that text changes. */
export const CONSENT_VERSION = '2';

/** Largest JPEG frame accepted (a 1280x720 JPEG is ~100-300 kB). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export const LANGUAGES = ['en', 'es', 'fr', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

export const GUIDANCE_CODES = [
  'too_dark',
  'too_bright',
  'move_closer',
  'move_back',
  'center_face',
  'one_person',
  'uncover_face',
  'hold_still',
  'no_face',
  'wrong_movement',
] as const;
export type GuidanceCode = (typeof GUIDANCE_CODES)[number];

export const PHASES = ['positioning', 'challenge', 'flash', 'capturing', 'done'] as const;
export type Phase = (typeof PHASES)[number];

// --- shared pieces ---------------------------------------------------------------------------------------------

const sessionId = z.string().min(1).max(128);
const staffToken = z.string().regex(/^[0-9a-f]{64}$/, 'staff token must be 64 hex characters');
/** Binary JPEG bytes (structured-cloned over Electron IPC, raw WebSocket binary in the host); never base64. */
const jpegBytes = z
  .custom<Uint8Array>((value) => value instanceof Uint8Array, 'jpeg must be binary bytes (Uint8Array)')
  .refine((bytes) => bytes.byteLength > 0, 'jpeg must not be empty')
  .refine((bytes) => bytes.byteLength <= MAX_FRAME_BYTES, `jpeg must be at most ${MAX_FRAME_BYTES} bytes`);

export { livenessOverridesSchema, type LivenessOverrides } from './config';

export const sessionPlanSchema = z.object({
  sessionId,
  mode: z.enum(LIVENESS_MODES),
  challenges: z.array(z.enum(CHALLENGES)),
  flash: flashSequenceSchema.nullable(),
  attempt: z.number().int().min(1),
  maxAttempts: z.number().int().min(1).max(3),
  challengeTimeoutS: z.number(),
  consented: z.boolean(),
});
export type SessionPlan = z.infer<typeof sessionPlanSchema>;

/** What the decision core reports after each frame (the wire shape of src/liveness's SessionUpdate). */
export const sessionUpdateSchema = z.object({
  sessionId,
  /** Timestamp of the frame this update answers (the renderer's clock; lets it align the flash and drop stale updates). */
  timestampMs: z.number(),
  phase: z.enum(PHASES),
  /** What the person should fix now (empty when all is well). */
  guidance: z.array(z.enum(GUIDANCE_CODES)),
  currentChallenge: z.enum(CHALLENGES).nullable(),
  /** 0-based index of the current challenge (== challengesTotal once all are over). */
  challengeIndex: z.number().int().min(0),
  challengesTotal: z.number().int().min(0),
  /** 0-1 progress of the current challenge, or of positioning / flash / capturing. */
  challengeProgress: z.number().min(0).max(1),
  secondsLeft: z.number().min(0),
  /** Index into the plan's flash steps the screen should show now, or null outside the flash. */
  flashStep: z.number().int().min(0).nullable(),
  done: z.boolean(),
});
export type SessionUpdate = z.infer<typeof sessionUpdateSchema>;

export const sessionOutcomeSchema = z.object({
  sessionId,
  result: livenessResultSchema,
  /** True when the failure is fixable and attempts remain: the renderer offers "Try again". */
  canRetry: z.boolean(),
  attemptsLeft: z.number().int().min(0),
  /** One human sentence per feedback code (English; the renderer translates by code). */
  feedback: z.array(z.object({ code: z.enum(FEEDBACK_CODES), sentence: z.string() })),
});
export type SessionOutcome = z.infer<typeof sessionOutcomeSchema>;

/** Kiosk-wide settings besides liveness, each field written once; the patch is derived from the full schema. */
const kioskSettingsFields = {
  language: z.enum(LANGUAGES),
  /** Chosen camera (MediaDeviceInfo.deviceId), or null for the system default. */
  cameraDeviceId: z.string().max(256).nullable(),
  /** Seconds the result stays on screen before the kiosk returns to the attract screen. */
  resultTimeoutS: z.number().int().min(5).max(300),
};

export const kioskSettingsSchema = z.object({ liveness: livenessSettingsSchema, ...kioskSettingsFields });
export type KioskSettings = z.infer<typeof kioskSettingsSchema>;

export const kioskSettingsPatchSchema = z
  .object({ liveness: livenessOverridesSchema, ...kioskSettingsFields })
  .partial()
  .strict();
export type KioskSettingsPatch = z.infer<typeof kioskSettingsPatchSchema>;

export const queueStatusSchema = z.object({
  /** Decision counts by outbox state (pending, sent, failed, …). */
  counts: z.record(z.string(), z.number().int().min(0)),
  oldestPendingAt: z.string().nullable(),
  total: z.number().int().min(0),
});
export type QueueStatus = z.infer<typeof queueStatusSchema>;

export const decisionSummarySchema = z.object({
  session_id: z.string(),
  created_at: z.string(),
  liveness_mode: z.enum(LIVENESS_MODES),
  liveness_score: z.number(),
  status: z.enum(STATUSES),
  attempts_used: z.number().int(),
});
export type DecisionSummary = z.infer<typeof decisionSummarySchema>;

export const pilotStatusSchema = z.object({
  /** False when the kiosk was started without a pack recipient key (pilot capture is off). */
  enabled: z.boolean(),
  armed: z.enum(CAPTURE_LABELS).nullable(),
  recording: z.boolean(),
  packsWritten: z.number().int().min(0),
  lastPack: z.string().nullable(),
});
export type PilotStatus = z.infer<typeof pilotStatusSchema>;

/** What the kiosk does with a person's data, for the consent screen (generated from the running configuration). */
export const privacyFactsSchema = z.object({
  /** Days the encrypted reference picture stays on the kiosk before it is purged (decisions are kept as metadata). */
  imageRetentionDays: z.number().int().min(1),
  /** Host of the central service decisions and reference pictures are sent to, or null when the kiosk is standalone. */
  syncServer: z.string().max(256).nullable(),
});
export type PrivacyFacts = z.infer<typeof privacyFactsSchema>;

export const syncStatusSchema = z.object({
  /** Host of the central service, or null when sync is not configured. */
  server: z.string().max(256).nullable(),
  lastSuccessAt: z.string().nullable(),
  /** Last failure as a stable category (offline, refused, server_error), never raw text; null after a success. */
  lastProblem: z.enum(['offline', 'refused', 'server_error']).nullable(),
  lastProblemAt: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const STAFF_ACTIONS = ['unlock', 'wrong_pin', 'lockout', 'pin_changed', 'settings_changed', 'lock', 'camera_pinned'] as const;
export const staffAuditEntrySchema = z.object({
  at: z.string(),
  action: z.enum(STAFF_ACTIONS),
  /** Setting names changed (settings_changed only); never values that could identify a person. */
  fields: z.array(z.string().max(64)).max(16).optional(),
});
export type StaffAuditEntry = z.infer<typeof staffAuditEntrySchema>;

/** Why a kiosk could not take a branch session (the renderer shows each as a translated sentence). */
export const BRANCH_REFUSALS = [
  'invalid_code',
  'code_not_found',
  'code_expired',
  'code_superseded',
  'code_taken',
  'code_used',
  'session_decided',
  'needs_network',
  'ticket_invalid',
  'ticket_expired',
  'not_connected',
  'server_error',
] as const;
export type BranchRefusal = (typeof BRANCH_REFUSALS)[number];

/** A branch session taken by its typed short code or its QR ticket: the session starts, or the reason it did not. */
export const branchClaimSchema = z.discriminatedUnion('taken', [
  z.object({ taken: z.literal(true), plan: sessionPlanSchema, offline: z.boolean(), faceMatch: z.boolean() }),
  z.object({ taken: z.literal(false), reason: z.enum(BRANCH_REFUSALS) }),
]);
export type BranchClaim = z.infer<typeof branchClaimSchema>;

const empty = z.object({}).strict();
/** A staff request that carries nothing but the staff token. */
const staffOnly = z.object({ token: staffToken }).strict();
/** A session request that names the session and nothing else. */
const sessionOnly = z.object({ sessionId }).strict();
const ack = z.object({ ok: z.literal(true) });

// --- the channel map ------------------------------------------------------------------------------------------

// Adding a channel is one entry here (its API method name and both schemas) plus its handler in KioskService: the
// renderer's API type, the preload's object and the WebSocket client are all derived from this map.
export const channels = {
  'session.start': {
    method: 'startSession',
    request: z
      .object({
        config: livenessOverridesSchema.optional(),
        /** Makes the challenge order and flash colours reproducible; accepted only by a host started for tests. */
        testSeed: z.string().min(1).max(64).optional(),
      })
      .strict(),
    response: sessionPlanSchema,
  },
  'branch.claim': {
    method: 'claimBranchSession',
    request: z
      .object({ code: z.string().min(1).max(40).optional(), ticket: z.string().min(1).max(4000).optional() })
      .strict()
      .refine((r) => (r.code === undefined) !== (r.ticket === undefined), 'send either code or ticket'),
    response: branchClaimSchema,
  },
  'session.consent': {
    method: 'giveConsent',
    request: z.object({ sessionId, accepted: z.boolean(), consentVersion: z.string().min(1).max(32) }).strict(),
    response: z.object({ sessionId, consented: z.boolean() }),
  },
  'session.frame': {
    method: 'pushFrame',
    request: z.object({ sessionId, timestampMs: z.number().finite().min(0), jpeg: jpegBytes }).strict(),
    response: sessionUpdateSchema,
  },
  /** The renderer showed the first flash colour at this time (same clock as the frames). */
  'session.flashStart': {
    method: 'markFlashStart',
    request: z.object({ sessionId, timestampMs: z.number().finite().min(0) }).strict(),
    response: ack,
  },
  /** Whether the camera held exposure and white balance for the flash (recorded in pilot capture packs). */
  'session.camera': {
    method: 'reportCamera',
    request: z
      .object({
        sessionId,
        exposureSupported: z.boolean(),
        exposureLocked: z.boolean(),
        whiteBalanceSupported: z.boolean(),
        whiteBalanceLocked: z.boolean(),
      })
      .strict(),
    response: ack,
  },
  'session.finish': {
    method: 'finishSession',
    request: sessionOnly,
    response: sessionOutcomeSchema,
  },
  'session.abandon': {
    method: 'abandonSession',
    request: sessionOnly,
    response: ack,
  },
  'session.retry': {
    method: 'retrySession',
    request: sessionOnly,
    response: sessionPlanSchema,
  },
  'config.get': {
    method: 'getConfig',
    request: empty,
    response: kioskSettingsSchema,
  },
  'config.set': {
    method: 'setConfig',
    request: z.object({ token: staffToken, patch: kioskSettingsPatchSchema }).strict(),
    response: kioskSettingsSchema,
  },
  'staff.unlock': {
    method: 'unlockStaff',
    request: z.object({ pin: z.string().min(1).max(64) }).strict(),
    response: z.object({ token: staffToken, expiresInS: z.number().int().positive(), mustChangePin: z.boolean() }),
  },
  'staff.setPin': {
    method: 'setStaffPin',
    request: z.object({ token: staffToken, newPin: z.string().regex(/^\d{6,12}$/, 'the new PIN must be 6 to 12 digits') }).strict(),
    response: ack,
  },
  'staff.lock': {
    method: 'lockStaff',
    request: staffOnly,
    response: ack,
  },
  'queue.status': {
    method: 'queueStatus',
    request: staffOnly,
    response: queueStatusSchema,
  },
  'decisions.recent': {
    method: 'recentDecisions',
    request: z.object({ token: staffToken, limit: z.number().int().min(1).max(100).default(20) }).strict(),
    response: z.array(decisionSummarySchema),
  },
  /** Staff: record the next session into a capture pack, with the filmed person's consent and a label. */
  'pilot.arm': {
    method: 'armPilot',
    request: z
      .object({
        token: staffToken,
        label: z.enum(CAPTURE_LABELS),
        subjectRef: z.string().regex(SUBJECT_REF_PATTERN, 'the subject code is 1-64 letters, digits, _ or - (never a name)'),
        consentConfirmed: z.literal(true, { message: 'the filmed person must have agreed to be recorded' }),
      })
      .strict(),
    response: pilotStatusSchema,
  },
  'pilot.disarm': {
    method: 'disarmPilot',
    request: staffOnly,
    response: pilotStatusSchema,
  },
  'pilot.status': {
    method: 'pilotStatus',
    request: staffOnly,
    response: pilotStatusSchema,
  },
  'privacy.get': {
    method: 'getPrivacyFacts',
    request: empty,
    response: privacyFactsSchema,
  },
  'sync.status': {
    method: 'syncStatus',
    request: staffOnly,
    response: syncStatusSchema,
  },
  'staff.audit': {
    method: 'staffAudit',
    request: z.object({ token: staffToken, limit: z.number().int().min(1).max(200).default(20) }).strict(),
    response: z.array(staffAuditEntrySchema),
  },
  // Camera trust (src/shared/camera-trust.ts): the pinned camera, a check of the opened one, and staff re-pinning.
  'camera.status': {
    method: 'cameraStatus',
    request: empty,
    response: cameraStatusSchema,
  },
  'camera.check': {
    method: 'checkCamera',
    request: openedCameraSchema,
    response: cameraCheckSchema,
  },
  'camera.pin': {
    method: 'pinCamera',
    request: z.object({ token: staffToken, camera: openedCameraSchema }).strict(),
    response: pinnedCameraSchema,
  },
} as const satisfies Record<string, ChannelSpec>;

interface ChannelSpec {
  method: string;
  request: z.ZodType;
  response: z.ZodType;
}

export type Channel = keyof typeof channels;
export const CHANNELS = Object.keys(channels) as Channel[];
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<(typeof channels)[C]['response']>;

/** main -> renderer events, each with the API method that subscribes to it. */
export const events = {
  'session.update': { method: 'onUpdate', payload: sessionUpdateSchema },
  'session.result': { method: 'onResult', payload: sessionOutcomeSchema },
} as const;
export type EventName = keyof typeof events;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export type EventPayloadOf<E extends EventName> = z.output<(typeof events)[E]['payload']>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

/** Electron channel name for a contract channel. */
export function ipcChannelName(channel: Channel): string {
  return `${CHANNEL_PREFIX}${channel}`;
}

// --- result envelope -------------------------------------------------------------------------------------------

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: CodedErrorShape };

export const errorShapeSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export function envelopeSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: errorShapeSchema }),
  ]);
}

/** Zod issues as one short sentence (no input values echoed back: they may be image bytes). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'payload'}: ${issue.message}`)
    .join('; ');
}

// --- the API object the renderer talks to (preload in Electron, WebSocket client in a browser) -----------------

export type Unsubscribe = () => void;

type MethodOf<C extends Channel> = (typeof channels)[C]['method'];
/** A request whose every field is optional may be left out (`getConfig()`, `startSession()`). */
type RequestArgs<C extends Channel> = Record<string, never> extends RequestOf<C> ? [request?: RequestOf<C>] : [request: RequestOf<C>];

/** One method per channel, named by the channel's `method`. */
export type KioskRequestMethods = {
  [C in Channel as MethodOf<C>]: (...args: RequestArgs<C>) => Promise<Envelope<ResponseOf<C>>>;
};
/** One subscription per event, named by the event's `method`. */
export type KioskEventMethods = {
  [E in EventName as (typeof events)[E]['method']]: (listener: (payload: EventPayloadOf<E>) => void) => Unsubscribe;
};
export type KioskApi = KioskRequestMethods & KioskEventMethods;

/** KioskApi request method name -> contract channel (the preload and the WebSocket client are built from this). */
export const API_METHODS = Object.fromEntries(CHANNELS.map((channel) => [channels[channel].method, channel])) as {
  [C in Channel as MethodOf<C>]: C;
};
/** KioskApi subscription method name -> event. */
export const EVENT_METHODS = Object.fromEntries(EVENT_NAMES.map((event) => [events[event].method, event])) as {
  [E in EventName as (typeof events)[E]['method']]: E;
};
/** Every name the renderer's API object has, and nothing else. */
export const KIOSK_API_METHOD_NAMES = [...Object.keys(API_METHODS), ...Object.keys(EVENT_METHODS)].sort() as (keyof KioskApi)[];

// --- WebSocket framing (browser host) ----------------------------------------------------------------------------
// Text messages: {"id": n, "channel": "...", "payload": {...}} -> {"id": n, "result": Envelope}; events
// {"event": "...", "payload": {...}}. A session.frame travels as ONE binary message: a 4-byte little-endian header
// length, the UTF-8 JSON header {"id", "sessionId", "timestampMs"}, then the JPEG bytes.

export const wsRequestSchema = z
  .object({ id: z.number().int().min(0), channel: z.string().max(64), payload: z.unknown().optional() })
  .strict();

export const wsFrameHeaderSchema = z.object({ id: z.number().int().min(0), sessionId, timestampMs: z.number().finite().min(0) }).strict();
export type WsFrameHeader = z.infer<typeof wsFrameHeaderSchema>;

const MAX_FRAME_HEADER_BYTES = 1024;

export function encodeFrameMessage(header: WsFrameHeader, jpeg: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const message = new Uint8Array(4 + headerBytes.byteLength + jpeg.byteLength);
  new DataView(message.buffer).setUint32(0, headerBytes.byteLength, true);
  message.set(headerBytes, 4);
  message.set(jpeg, 4 + headerBytes.byteLength);
  return message;
}

/** Splits a binary frame message; returns null when the framing itself is broken. */
export function decodeFrameMessage(message: Uint8Array): { header: unknown; jpeg: Uint8Array } | null {
  if (message.byteLength < 4) return null;
  const headerLength = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0, true);
  if (headerLength === 0 || headerLength > MAX_FRAME_HEADER_BYTES || 4 + headerLength > message.byteLength) return null;
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.subarray(4, 4 + headerLength)));
    return { header, jpeg: message.subarray(4 + headerLength) };
  } catch {
    return null;
  }
}
