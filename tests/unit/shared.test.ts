import { describe, expect, it } from 'vitest';
import { normalizeScore, statusForScore } from '../../src/shared/bands';
import { parseLivenessConfig } from '../../src/shared/config';
import { CodedError, toCodedError } from '../../src/shared/errors';
import { FEEDBACK_CODES, FEEDBACK_SENTENCES } from '../../src/shared/catalogue';

describe('score bands', () => {
  it('puts each score in the brief band at the default threshold', () => {
    expect(statusForScore(100)).toBe('Approved');
    expect(statusForScore(75)).toBe('Approved');
    expect(statusForScore(74.9)).toBe('In Review');
    expect(statusForScore(50)).toBe('In Review');
    expect(statusForScore(49.99)).toBe('Declined');
    expect(statusForScore(0)).toBe('Declined');
  });

  it('moves the pass edge with the threshold and leaves no review band at or below 50', () => {
    expect(statusForScore(89, 90)).toBe('In Review');
    expect(statusForScore(90, 90)).toBe('Approved');
    expect(statusForScore(40, 40)).toBe('Approved');
    expect(statusForScore(39, 40)).toBe('Declined');
    expect(statusForScore(0, 0)).toBe('Approved');
    expect(statusForScore(99, 100)).toBe('In Review');
  });

  it('declines a score that is not a number', () => {
    expect(statusForScore(Number.NaN)).toBe('Declined');
    expect(normalizeScore(Number.NaN)).toBe(0);
    expect(normalizeScore(101.2)).toBe(100);
    expect(normalizeScore(-3)).toBe(0);
    expect(normalizeScore(74.5)).toBe(75);
  });
});

describe('liveness config', () => {
  it('fills the brief defaults', () => {
    expect(parseLivenessConfig(undefined)).toMatchObject({
      liveness_mode: 'passive',
      liveness_threshold: 75,
      liveness_challenges: ['head_left', 'head_right', 'smile', 'blink'],
      face_liveness_max_attempts: 3,
    });
  });

  it('refuses values outside the brief limits', () => {
    expect(() => parseLivenessConfig({ liveness_threshold: 101 })).toThrow();
    expect(() => parseLivenessConfig({ liveness_threshold: 7.5 })).toThrow();
    expect(() => parseLivenessConfig({ face_liveness_max_attempts: 4 })).toThrow();
    expect(() => parseLivenessConfig({ liveness_mode: 'video' })).toThrow();
    expect(() => parseLivenessConfig({ liveness_challenges: [] })).toThrow();
    expect(() => parseLivenessConfig({ liveness_challenges: ['blink', 'blink'] })).toThrow();
    expect(() => parseLivenessConfig({ liveness_challenges: ['wink'] })).toThrow();
  });
});

describe('coded errors and catalogue', () => {
  it('keeps the code and sentence of a coded error and hides anything else', () => {
    expect(toCodedError(new CodedError('FILE_EMPTY', 'The file is empty.'))).toEqual({ code: 'FILE_EMPTY', message: 'The file is empty.' });
    expect(toCodedError(new Error('secret path /home/x'))).toEqual({ code: 'INTERNAL', message: 'An unexpected error occurred.' });
  });

  it('has a human sentence for every feedback code', () => {
    for (const code of FEEDBACK_CODES) expect(FEEDBACK_SENTENCES[code]).toMatch(/^[A-Z].+\.$/);
  });
});
