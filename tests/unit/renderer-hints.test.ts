// Every locale has every string, really translated (never the English text), with the same placeholders; every key
// built from a code (guidance, challenge, feedback, status, audit, sync problem, queue state, branch and camera refusal,
// mode, pilot label) exists.
import { describe, expect, it } from 'vitest';
import { CAMERA_REFUSALS } from '../../src/shared/camera-trust';
import { CAPTURE_LABELS } from '../../src/shared/capture';
import { CHALLENGES, FEEDBACK_CODES, LIVENESS_MODES, STATUSES } from '../../src/shared/catalogue';
import { BRANCH_REFUSALS, GUIDANCE_CODES, LANGUAGES, STAFF_ACTIONS } from '../../src/shared/ipc-contract';
import {
  DICTIONARIES,
  QUEUE_STATES,
  auditKey,
  challengeHintKeys,
  challengeKey,
  feedbackKey,
  guidanceKey,
  queueStateKey,
  statusKey,
  syncProblemKey,
  translator,
  type StringKey,
} from '../../src/renderer/i18n';

/** Strings that are the same word in another language (checked by hand); everything else must differ from English. */
const SAME_AS_ENGLISH: Partial<Record<(typeof LANGUAGES)[number], StringKey[]>> = {};

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  const english = DICTIONARIES.en;
  const keys = Object.keys(english) as StringKey[];

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every key, translated, with the same placeholders', (language) => {
    const dictionary = DICTIONARIES[language] as Partial<Record<StringKey, string>>;
    const missing = keys.filter((key) => typeof dictionary[key] !== 'string' || dictionary[key].trim() === '');
    expect(missing).toEqual([]);
    const extra = Object.keys(dictionary).filter((key) => !(key in english));
    expect(extra).toEqual([]);
    const allowed = new Set(SAME_AS_ENGLISH[language] ?? []);
    const untranslated = keys.filter((key) => dictionary[key] === english[key] && !allowed.has(key));
    expect(untranslated).toEqual([]);
    const mismatched = keys.filter((key) => placeholders(dictionary[key]!).join() !== placeholders(english[key]).join());
    expect(mismatched).toEqual([]);
  });

  it('every key built from a code exists', () => {
    const built: StringKey[] = [
      ...GUIDANCE_CODES.map(guidanceKey),
      ...CHALLENGES.map(challengeKey),
      ...FEEDBACK_CODES.map(feedbackKey),
      ...STATUSES.map(statusKey),
      ...STAFF_ACTIONS.map(auditKey),
      ...(['offline', 'refused', 'server_error'] as const).map(syncProblemKey),
      ...QUEUE_STATES.map(queueStateKey),
      // Built inline by the screens: CodeEntry (refusal), Capture (camera refusal), Staff (mode), PilotCapture (label).
      ...BRANCH_REFUSALS.map((reason) => `refusal_${reason}` as StringKey),
      ...CAMERA_REFUSALS.map((reason) => `cameraRefused_${reason}` as StringKey),
      ...LIVENESS_MODES.map((mode) => `mode_${mode}` as StringKey),
      ...CAPTURE_LABELS.map((label) => `pilotLabel_${label}` as StringKey),
    ];
    expect(built.filter((key) => !(key in english))).toEqual([]);
  });

  it('the translator has no English fallback: a locale answers from its own dictionary', () => {
    expect(translator('es')('start')).toBe(DICTIONARIES.es.start);
    expect(translator('ar')('idleReturning', { n: 9 })).toContain('9');
    expect(translator('fr')('cancel')).not.toBe(english.cancel);
  });
});

describe('retry hints from challenge outcomes', () => {
  it('tells the person why a challenge did not count', () => {
    expect(challengeHintKeys([{ reason: 'completed' }, { reason: 'wrong_action' }])).toEqual(['hint_wrong_action']);
    expect(challengeHintKeys([{ reason: 'timeout' }, { reason: 'not_reached' }])).toEqual(['hint_timeout']);
    expect(challengeHintKeys([{ reason: 'completed' }])).toEqual([]);
    expect(challengeHintKeys(undefined)).toEqual([]);
  });
});
