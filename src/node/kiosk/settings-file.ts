// Kiosk state persisted as a JSON file (0600, atomic replace): settings, the staff PIN hash issued at provisioning,
// the workflow-signing key pinned at provisioning, the last good signed workflow, the pinned camera and the
// staff lockout (so a restart does not reset it). There is no default PIN: an unprovisioned kiosk has none.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseLivenessConfig } from '../../shared/config';
import { CodedError } from '../../shared/errors';
import { kioskSettingsSchema, staffAuditEntrySchema, type KioskSettings } from '../../shared/ipc-contract';
import { signedWorkflowSchema } from '../../shared/workflow';
import { pinnedCameraSchema } from '../../shared/camera-trust';

export { pinnedCameraSchema, type PinnedCamera } from '../../shared/camera-trust';

const lockoutSchema = z.object({
  /** Wrong PINs since the last lockout or success, across every connection. */
  wrongPins: z.number().int().min(0),
  /** Lockouts in a row (each lasts longer). */
  lockouts: z.number().int().min(0),
  /** Epoch ms until which no PIN is tried. */
  lockedUntil: z.number().min(0),
});
export type LockoutState = z.infer<typeof lockoutSchema>;

const persistedSchema = z.object({
  version: z.literal(2),
  settings: kioskSettingsSchema,
  /** scrypt hash of the staff PIN the central service issued; null until the kiosk is provisioned. */
  staffPinHash: z.string().startsWith('scrypt$').nullable(),
  /** True when the PIN issued at provisioning is a one-time PIN staff must replace. */
  pinMustChange: z.boolean(),
  /** The central service's workflow-signing public key (PEM), pinned at provisioning. */
  workflowKeyPem: z.string().max(4096).nullable(),
  /** The last signed workflow that verified; it stays in force offline. */
  workflow: signedWorkflowSchema.nullable(),
  camera: pinnedCameraSchema.nullable(),
  /** Development only, set by hand in this file (never from the touch screen): accept Chromium's fake camera. */
  cameraTrust: z.object({ allowFakeCamera: z.boolean() }).strict().optional(),
  lockout: lockoutSchema,
  /** Staff actions (unlock, wrong PIN, lockout, PIN change, settings change, lock), newest last. */
  staffAudit: z.array(staffAuditEntrySchema).optional(),
});
export type PersistedKioskState = z.infer<typeof persistedSchema>;

/** The state of version 1 files, which held a documented default PIN. */
const legacySchema = z.object({
  version: z.literal(1),
  settings: kioskSettingsSchema,
  staffPinHash: z.string(),
  pinMustChange: z.boolean(),
});

export const NO_LOCKOUT: LockoutState = { wrongPins: 0, lockouts: 0, lockedUntil: 0 };

/**
 * A new kiosk's mode: active (challenges + planar check + passive texture score). Passive alone accepts 43% of the
 * held-out attacks at BPCER 15% (`npx liveness eval ../shared/fixtures --json`, leave-one-source-out), and the flash
 * modes have not yet been measured on a real camera (only on synthetic subjects), so active is the strongest
 * measured default. Staff can change it; the README's deployment section says why.
 */
export const KIOSK_DEFAULT_MODE = 'active' as const;

export function defaultSettings(): KioskSettings {
  return { liveness: parseLivenessConfig({ liveness_mode: KIOSK_DEFAULT_MODE }), language: 'en', cameraDeviceId: null, resultTimeoutS: 20 };
}

function unprovisionedState(settings: KioskSettings = defaultSettings()): PersistedKioskState {
  return {
    version: 2,
    settings,
    staffPinHash: null,
    pinMustChange: false,
    workflowKeyPem: null,
    workflow: null,
    camera: null,
    lockout: NO_LOCKOUT,
  };
}

export interface SettingsFile {
  read(): PersistedKioskState;
  write(state: PersistedKioskState): void;
  readonly path: string;
}

/** Opens (or creates, unprovisioned) the settings file. */
export function openSettingsFile(path: string): Promise<SettingsFile> {
  let state: PersistedKioskState;
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new CodedError('INVALID_ARGUMENT', `The kiosk config file ${path} is not valid JSON; fix or delete it.`, { cause: err });
    }
    state = upgrade(raw, path);
  } else {
    state = unprovisionedState();
  }
  persist(path, state);
  return Promise.resolve({
    path,
    read: () => structuredClone(state),
    write(next) {
      const valid = persistedSchema.parse(next);
      persist(path, valid);
      state = structuredClone(valid);
    },
  });
}

function upgrade(raw: unknown, path: string): PersistedKioskState {
  const current = persistedSchema.safeParse(raw);
  if (current.success) return current.data;
  const legacy = legacySchema.safeParse(raw);
  // A version 1 kiosk that never replaced the documented default PIN loses it: it must be provisioned.
  if (legacy.success) {
    const kept = legacy.data.pinMustChange ? null : legacy.data.staffPinHash.startsWith('scrypt$') ? legacy.data.staffPinHash : null;
    return { ...unprovisionedState(legacy.data.settings), staffPinHash: kept };
  }
  throw new CodedError('INVALID_ARGUMENT', `The kiosk config file ${path} does not match the expected shape; fix or delete it.`);
}

function persist(path: string, state: PersistedKioskState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
