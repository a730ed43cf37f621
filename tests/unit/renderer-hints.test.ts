import { describe, expect, it } from 'vitest';
import { challengeHintKeys, translator } from '../../src/renderer/i18n';

describe('retry hints from challenge outcomes', () => {
  it('tells the person why a challenge did not count', () => {
    expect(challengeHintKeys([{ reason: 'completed' }, { reason: 'wrong_action' }])).toEqual(['hint_wrong_action']);
    expect(challengeHintKeys([{ reason: 'timeout' }, { reason: 'not_reached' }])).toEqual(['hint_timeout']);
    expect(challengeHintKeys([{ reason: 'completed' }])).toEqual([]);
    expect(challengeHintKeys(undefined)).toEqual([]);
  });

  it('has the hints in every language', () => {
    for (const language of ['en', 'es', 'fr', 'ar'] as const) {
      const t = translator(language);
      expect(t('hint_wrong_action')).not.toBe('hint_wrong_action');
      expect(t('hint_timeout').length).toBeGreaterThan(10);
    }
  });
});
