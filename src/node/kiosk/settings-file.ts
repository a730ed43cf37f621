// Kiosk settings persisted as a JSON file (0600, atomic replace): liveness config, language, camera, staff PIN hash.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseLivenessConfig } from '../../shared/config';
import { CodedError } from '../../shared/errors';
import { kioskSettingsSchema, staffAuditEntrySchema, type KioskSettings } from '../../shared/ipc-contract';
import { DEFAULT_STAFF_PIN, hashPin } from './pin';

const persistedSchema = z.object({
  version: z.literal(1),
  settings: kioskSettingsSchema,
  staffPinHash: z.string().startsWith('scrypt$'),
  /** True until staff replace the documented default PIN. */
  pinMustChange: z.boolean(),
  /** Staff actions (unlock, wrong PIN, lockout, PIN change, settings change, lock), newest last. */
  staffAudit: z.array(staffAuditEntrySchema).optional(),
});
export type PersistedKioskState = z.infer<typeof persistedSchema>;

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

export interface SettingsFile {
  read(): PersistedKioskState;
  write(state: PersistedKioskState): void;
  readonly path: string;
}

/** Opens (or creates with defaults and the default PIN) the settings file. */
export async function openSettingsFile(path: string): Promise<SettingsFile> {
  let state: PersistedKioskState;
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new CodedError('INVALID_ARGUMENT', `The kiosk config file ${path} is not valid JSON; fix or delete it.`, { cause: err });
    }
    const parsed = persistedSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CodedError('INVALID_ARGUMENT', `The kiosk config file ${path} does not match the expected shape; fix or delete it.`);
    }
    state = parsed.data;
  } else {
    state = { version: 1, settings: defaultSettings(), staffPinHash: await hashPin(DEFAULT_STAFF_PIN), pinMustChange: true };
    persist(path, state);
  }
  return {
    path,
    read: () => structuredClone(state),
    write(next) {
      const valid = persistedSchema.parse(next);
      persist(path, valid);
      state = structuredClone(valid);
    },
  };
}

function persist(path: string, state: PersistedKioskState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
