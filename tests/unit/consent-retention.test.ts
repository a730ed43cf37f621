// Issue 14: the consent screen said the central service keeps the picture "under its own retention rules"; it now
// applies the kiosk's retention (src/shared/retention.ts), so every locale's "sent" sentence must state it.
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/shared/ipc-contract';
import { IMAGE_RETENTION_DAYS } from '../../src/shared/retention';
import { translator } from '../../src/renderer/i18n';

describe('consent: what the central service keeps', () => {
  it.each(LANGUAGES)('%s states the server-side retention of the picture in days', (language) => {
    const text = translator(language)('consentSent', { server: 'bank.example:8787', days: IMAGE_RETENTION_DAYS });
    expect(text).toContain('bank.example:8787');
    expect(text).toContain(String(IMAGE_RETENTION_DAYS));
    expect(text).not.toMatch(/\{\w+\}/);
  });
});
