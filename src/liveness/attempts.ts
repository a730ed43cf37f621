// Attempts for one person: a fixable failure keeps them on the step with feedback; the budget, once spent, lets the
// computed status stand; a confirmed attack, a blocklist hit or a duplicate face declines at once. PURE.
import type { DecidedStatus } from '../shared/bands';
import { FEEDBACK_SENTENCES, IMMEDIATE_DECLINE_WARNINGS, type FeedbackCode, type Status, type Warning } from '../shared/catalogue';
import { CodedError } from '../shared/errors';

export interface AttemptReport {
  passed: boolean;
  /** Status by the bands (what applies when no retry is left). */
  computedStatus: DecidedStatus;
  warnings: readonly Warning[];
  /** Fixable reasons; empty when nothing the person can fix. */
  feedbackCodes: readonly FeedbackCode[];
}

export interface AttemptDecision {
  status: Status;
  /** No further attempt will be taken. */
  final: boolean;
  retryAllowed: boolean;
  attemptsUsed: number;
  maxAttempts: number;
  /** Only when a retry is allowed: what to fix, and the sentence for each code. */
  feedbackCodes: FeedbackCode[];
  feedbackMessages: string[];
}

export type LedgerState = 'open' | 'awaiting_retry' | 'closed';

/** The state machine: open -(record)-> awaiting_retry -(startRetry)-> open ... -(record)-> closed. */
export class AttemptLedger {
  private used = 0;
  private current: LedgerState = 'open';
  private last: AttemptDecision | null = null;

  constructor(readonly maxAttempts: number) {
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 3) {
      throw new CodedError('INVALID_ARGUMENT', 'face_liveness_max_attempts must be an integer from 1 to 3.');
    }
  }

  get attemptsUsed(): number {
    return this.used;
  }

  get state(): LedgerState {
    return this.current;
  }

  get lastDecision(): AttemptDecision | null {
    return this.last;
  }

  /** Record the outcome of the attempt in progress. */
  record(report: AttemptReport): AttemptDecision {
    if (this.current !== 'open') throw new CodedError('CONFLICT', 'No attempt is in progress; start a retry first.');
    this.used += 1;
    const base = {
      attemptsUsed: this.used,
      maxAttempts: this.maxAttempts,
      feedbackCodes: [] as FeedbackCode[],
      feedbackMessages: [] as string[],
    };
    let decision: AttemptDecision;
    if (report.warnings.some((w) => IMMEDIATE_DECLINE_WARNINGS.includes(w))) {
      decision = { ...base, status: 'Declined', final: true, retryAllowed: false };
    } else if (report.passed) {
      decision = { ...base, status: 'Approved', final: true, retryAllowed: false };
    } else if (report.feedbackCodes.length > 0 && this.used < this.maxAttempts) {
      const codes = [...new Set(report.feedbackCodes)];
      decision = {
        ...base,
        status: 'In Progress',
        final: false,
        retryAllowed: true,
        feedbackCodes: codes,
        feedbackMessages: codes.map((c) => FEEDBACK_SENTENCES[c]),
      };
    } else {
      // Budget spent (or nothing fixable): the computed status applies; the codes still say what went wrong.
      const codes = [...new Set(report.feedbackCodes)];
      decision = {
        ...base,
        status: report.computedStatus,
        final: true,
        retryAllowed: false,
        feedbackCodes: codes,
        feedbackMessages: codes.map((c) => FEEDBACK_SENTENCES[c]),
      };
    }
    this.current = decision.final ? 'closed' : 'awaiting_retry';
    this.last = decision;
    return decision;
  }

  /** The person tries again after a fixable failure. */
  startRetry(): void {
    if (this.current !== 'awaiting_retry') {
      throw new CodedError(
        'CONFLICT',
        this.current === 'closed' ? 'This check is decided; no retry is allowed.' : 'The current attempt is not finished.',
      );
    }
    this.current = 'open';
  }

  /** The person left: the check ends as Abandoned. */
  abandon(): AttemptDecision {
    if (this.current === 'closed' && this.last) return this.last;
    if (this.current === 'open') this.used += 1;
    this.current = 'closed';
    this.last = {
      status: 'Abandoned',
      final: true,
      retryAllowed: false,
      attemptsUsed: this.used,
      maxAttempts: this.maxAttempts,
      feedbackCodes: [],
      feedbackMessages: [],
    };
    return this.last;
  }
}
