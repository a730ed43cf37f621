// Staff see a sentence in their language for every error the kiosk service can answer, never the service's own
// message (English, written for logs: "Invalid pilot.arm request: subjectRef: …").
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/errors';
import { LANGUAGES } from '../../src/shared/ipc-contract';
import { DICTIONARIES, translator } from '../../src/renderer/i18n';
import { pilotMessage } from '../../src/renderer/screens/PilotCapture';
import { staffMessage } from '../../src/renderer/screens/Staff';

const SERVICE_MESSAGE = 'Invalid pilot.arm request: subjectRef: the subject code is 1-64 letters (developer English)';

describe('staff-facing error sentences', () => {
  for (const language of LANGUAGES) {
    it(`every error code gives a catalogue sentence in ${language}, for the staff panel and the pilot form`, () => {
      const t = translator(language);
      const sentences = new Set(Object.values(DICTIONARIES[language]));
      for (const code of ERROR_CODES) {
        for (const message of [staffMessage(t, { code, message: SERVICE_MESSAGE }), pilotMessage(t, { code, message: SERVICE_MESSAGE })]) {
          expect(message).not.toContain('Invalid');
          expect(sentences.has(message), `${language} ${code}: ${message}`).toBe(true);
        }
      }
    });
  }

  it('says what is wrong where staff can fix it: a refused subject code, pilot capture off, an expired unlock', () => {
    const t = translator('en');
    expect(pilotMessage(t, { code: 'INVALID_PAYLOAD', message: SERVICE_MESSAGE })).toBe(t('pilotSubjectInvalid'));
    expect(pilotMessage(t, { code: 'FORBIDDEN', message: SERVICE_MESSAGE })).toBe(t('pilotOffError'));
    expect(pilotMessage(t, { code: 'UNAUTHORIZED', message: SERVICE_MESSAGE })).toBe(t('staffExpired'));
  });
});
