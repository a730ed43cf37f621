import { describe, expect, it } from 'vitest';
import { AttemptLedger, type AttemptReport } from '../../../src/liveness/attempts';
import { FEEDBACK_SENTENCES } from '../../../src/shared/catalogue';

const lowScore: AttemptReport = {
  passed: false,
  computedStatus: 'In Review',
  warnings: ['LOW_LIVENESS_SCORE'],
  feedbackCodes: ['LOW_LIVENESS_SCORE'],
};
const dark: AttemptReport = { passed: false, computedStatus: 'Declined', warnings: [], feedbackCodes: ['LOW_FACE_LUMINANCE'] };
const pass: AttemptReport = { passed: true, computedStatus: 'Approved', warnings: [], feedbackCodes: [] };

describe('attempts', () => {
  it('a fixable failure keeps the person on the step with codes, the sentence and the attempt count', () => {
    const ledger = new AttemptLedger(3);
    const d = ledger.record(dark);
    expect(d).toMatchObject({ status: 'In Progress', final: false, retryAllowed: true, attemptsUsed: 1, maxAttempts: 3 });
    expect(d.feedbackCodes).toEqual(['LOW_FACE_LUMINANCE']);
    expect(d.feedbackMessages).toEqual([FEEDBACK_SENTENCES.LOW_FACE_LUMINANCE]);
    expect(d.feedbackMessages[0]).toBe('Move to a brighter, evenly lit place and try again.');
    ledger.startRetry();
    expect(ledger.record(pass)).toMatchObject({ status: 'Approved', final: true, attemptsUsed: 2 });
    expect(() => ledger.startRetry()).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('when the budget is spent the computed status applies', () => {
    const ledger = new AttemptLedger(3);
    ledger.record(lowScore);
    ledger.startRetry();
    ledger.record(dark);
    ledger.startRetry();
    const last = ledger.record(lowScore);
    expect(last).toMatchObject({ status: 'In Review', final: true, retryAllowed: false, attemptsUsed: 3 });
    expect(ledger.state).toBe('closed');
    expect(() => ledger.record(pass)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('one attempt allowed: the first failure is final', () => {
    const ledger = new AttemptLedger(1);
    expect(ledger.record(dark)).toMatchObject({ status: 'Declined', final: true, retryAllowed: false, attemptsUsed: 1, maxAttempts: 1 });
  });

  it.each(['LIVENESS_FACE_ATTACK', 'FACE_IN_BLOCKLIST', 'DUPLICATED_FACE'] as const)(
    '%s declines at once, never retried, attempts not consumed further',
    (warning) => {
      const ledger = new AttemptLedger(3);
      const d = ledger.record({ passed: false, computedStatus: 'In Review', warnings: [warning], feedbackCodes: ['LOW_LIVENESS_SCORE'] });
      expect(d).toMatchObject({ status: 'Declined', final: true, retryAllowed: false, attemptsUsed: 1 });
      expect(d.feedbackCodes).toEqual([]);
      expect(() => ledger.startRetry()).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(ledger.attemptsUsed).toBe(1);
    },
  );

  it('an attack on a later attempt also declines at once', () => {
    const ledger = new AttemptLedger(3);
    ledger.record(lowScore);
    ledger.startRetry();
    expect(ledger.record({ ...lowScore, warnings: ['LIVENESS_FACE_ATTACK'] })).toMatchObject({
      status: 'Declined',
      final: true,
      attemptsUsed: 2,
    });
  });

  it('abandon ends the check', () => {
    const ledger = new AttemptLedger(2);
    expect(ledger.abandon()).toMatchObject({ status: 'Abandoned', final: true, attemptsUsed: 1 });
    expect(() => ledger.record(pass)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('rejects an invalid budget with a coded error', () => {
    expect(() => new AttemptLedger(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new AttemptLedger(4)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
