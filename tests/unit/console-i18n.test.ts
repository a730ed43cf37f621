// Every business-console locale (src/console/i18n.ts) has every key, really translated (never the English text unless
// the word is the same in that language, checked by hand below), with the same placeholders; every session status has
// a label and the translator answers from the locale's own table (as tests/unit/renderer-hints.test.ts does for the kiosk).
import { describe, expect, it } from 'vitest';
import { CHALLENGES, LIVENESS_MODES, STATUSES, WARNINGS } from '../../src/shared/catalogue';
import { livenessResultSchema } from '../../src/shared/result';
import { LANGUAGES, STRINGS, errorKey, statusKey, translator, warningKey, type StringKey } from '../../src/console/i18n';

/** The same word in that language (checked by hand): product names, abbreviations and French words spelt as in English. */
const SAME_AS_ENGLISH: Partial<Record<(typeof LANGUAGES)[number], StringKey[]>> = {
  es: ['navWebhooks', 'url'],
  fr: ['navSessions', 'navWebhooks', 'session', 'sessionHeading', 'score', 'scores', 'ok', 'version', 'url', 'action', 'active'],
};

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Text with its placeholders and punctuation removed: a string of placeholders alone has nothing to translate. */
const words = (text: string): string => text.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '');

describe('console translations', () => {
  const english = STRINGS.en;
  const keys = Object.keys(english) as StringKey[];

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every key, translated, with the same placeholders', (language) => {
    const table = STRINGS[language] as Partial<Record<StringKey, string>>;
    expect(keys.filter((key) => typeof table[key] !== 'string' || table[key].trim() === '')).toEqual([]);
    expect(Object.keys(table).filter((key) => !(key in english))).toEqual([]);
    const allowed = new Set(SAME_AS_ENGLISH[language] ?? []);
    const untranslated = keys.filter((key) => table[key] === english[key] && words(english[key]) !== '' && !allowed.has(key));
    expect(untranslated).toEqual([]);
    // An allowance that is no longer needed is removed, so the list stays a list of real exceptions.
    expect([...allowed].filter((key) => table[key] !== english[key])).toEqual([]);
    expect(keys.filter((key) => placeholders(table[key]!).join() !== placeholders(english[key]).join())).toEqual([]);
  });

  it('every session status and every error code the console shows has a sentence in every locale', () => {
    for (const status of [...STATUSES, 'Resubmitted']) expect(statusKey(status), status).not.toBeNull();
    for (const code of [
      'UNAUTHORIZED',
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'RATE_LIMITED',
      'INVALID_ARGUMENT',
      'CSRF_TOKEN_INVALID',
      'LOGIN_FAILED',
      'ACCOUNT_LOCKED',
    ]) {
      expect(errorKey(code), code).toBe(`error_${code}`);
    }
    expect(errorKey('SOMETHING_NEW')).toBe('error_other');
  });

  it('every code a session detail shows (mode, challenge, outcome reason, warning) has a key, so no code reaches staff', () => {
    const outcome = livenessResultSchema.shape.challenge_outcomes.unwrap().element;
    const built = [
      ...LIVENESS_MODES.map((mode) => `mode_${mode}`),
      ...CHALLENGES.map((challenge) => `challenge_${challenge}`),
      ...outcome.shape.reason.options.map((reason) => `reason_${reason}`),
      ...WARNINGS.map(warningKey),
    ];
    expect(built.filter((key) => !(key in english))).toEqual([]);
  });

  it('the translator has no English fallback: a locale answers from its own table', () => {
    for (const language of LANGUAGES) {
      const t = translator(language);
      for (const key of Object.keys(english) as StringKey[]) expect(t(key)).toBe(STRINGS[language][key].replace(/\{(\w+)\}/g, '{$1}'));
    }
    expect(translator('ar')('signedInAs', { user: 'amal', role: 'admin' })).toContain('amal');
  });
});
