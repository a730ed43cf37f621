// One source per contract: the "challenges must not repeat" rule and the 0-100 threshold hold in every schema that
// carries liveness settings (settings file, staff patch, session request, defaulted config), and the API method
// table is derived from the channel map (no channel without a method, no method without a channel).
import { describe, expect, it } from 'vitest';
import { livenessConfigSchema, livenessOverridesSchema, livenessSettingsSchema, LIVENESS_DEFAULTS } from '../../src/shared/config';
import { API_METHODS, CHANNELS, channels, kioskSettingsPatchSchema, kioskSettingsSchema } from '../../src/shared/ipc-contract';

const settings = { liveness: LIVENESS_DEFAULTS, language: 'en', cameraDeviceId: null, resultTimeoutS: 20 };
const parsers: [string, (liveness: unknown) => boolean][] = [
  ['settings', (liveness) => livenessSettingsSchema.safeParse({ ...LIVENESS_DEFAULTS, ...(liveness as object) }).success],
  ['overrides', (liveness) => livenessOverridesSchema.safeParse(liveness).success],
  ['config', (liveness) => livenessConfigSchema.safeParse(liveness).success],
  [
    'kiosk settings',
    (liveness) => kioskSettingsSchema.safeParse({ ...settings, liveness: { ...LIVENESS_DEFAULTS, ...(liveness as object) } }).success,
  ],
  ['staff patch', (liveness) => kioskSettingsPatchSchema.safeParse({ liveness }).success],
  ['session.start', (liveness) => channels['session.start'].request.safeParse({ config: liveness }).success],
];

describe('liveness settings: one schema, every carrier', () => {
  it.each(parsers)('%s refuses repeated challenges and thresholds outside 0-100 integers', (_name, accepts) => {
    expect(accepts({ liveness_challenges: ['blink', 'smile'] })).toBe(true);
    expect(accepts({ liveness_challenges: ['blink', 'blink'] })).toBe(false);
    expect(accepts({ liveness_threshold: 0 })).toBe(true);
    expect(accepts({ liveness_threshold: 100 })).toBe(true);
    for (const threshold of [-1, 101, 7.5, Number.NaN, '75']) expect(accepts({ liveness_threshold: threshold })).toBe(false);
  });

  it('the defaulted config never shares its challenge list with the defaults', () => {
    const config = livenessConfigSchema.parse({});
    config.liveness_challenges.pop();
    expect(LIVENESS_DEFAULTS.liveness_challenges).toHaveLength(4);
  });

  it('every channel has exactly one API method and the table is derived, not written by hand', () => {
    expect(Object.values(API_METHODS).sort()).toEqual([...CHANNELS].sort());
    expect(new Set(Object.keys(API_METHODS)).size).toBe(CHANNELS.length);
  });
});

describe('the defaulted config stays an object schema', () => {
  it('can be extended (workflows add their checks to it) and keeps every field rule', () => {
    const extended = livenessConfigSchema.extend({ extra: livenessSettingsSchema.shape.no_flash.optional() });
    expect(extended.parse({}).liveness_threshold).toBe(LIVENESS_DEFAULTS.liveness_threshold);
    expect(extended.safeParse({ liveness_challenges: ['smile', 'smile'] }).success).toBe(false);
  });
});
