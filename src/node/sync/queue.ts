// The outbox as a pure job queue (no Node imports): which jobs to send, backoff, and what each answer does to them.

export interface OutboxJob {
  seq: number;
  idempotencyKey: string;
  attempts: number;
  nextAttemptAt: number;
}

/** The storage the queue drives; the SQLite store implements it, tests may pass any other. */
export interface OutboxPort {
  dueJobs(nowMs: number, limit: number): OutboxJob[];
  markAcked(seqs: readonly number[], nowMs: number): void;
  scheduleRetry(seqs: readonly number[], nextAttemptAtMs: number, error: string): void;
  markRejected(seq: number, error: string): void;
}

export type RecordStatus = 'accepted' | 'duplicate' | 'rejected' | 'deferred';

export interface RecordAnswer {
  seq: number;
  status: RecordStatus;
  code?: string;
  message?: string;
}

/** What one batch request came back with. */
export type BatchOutcome =
  | { kind: 'answered'; results: RecordAnswer[] }
  | { kind: 'retry'; error: string; retryAfterMs: number | null }
  | { kind: 'fatal'; error: string };

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60_000 };
/** A server's Retry-After is honoured up to this long. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** The wait before the next attempt: jittered backoff, never shorter than what the server asked for. */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, policy: BackoffPolicy, random: () => number): number {
  return Math.max(backoffDelayMs(attempt, policy, random), retryAfterMs ?? 0);
}

/** How the sync client reads an HTTP status of a batch request. */
export function classifyStatus(status: number): 'answered' | 'retry' | 'fatal' {
  if (status === 200 || status === 207) return 'answered';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  // 400/409 carry per-record answers for the records the server looked at.
  if (status === 400 || status === 409) return 'answered';
  return 'fatal';
}

/** Named moments of a drain where a fault test may stop the process. */
export type FaultPoint = 'before-send' | 'after-send' | 'after-ack';

export interface DrainDeps {
  outbox: OutboxPort;
  send(jobs: OutboxJob[]): Promise<BatchOutcome>;
  now(): number;
  random(): number;
  batchSize: number;
  backoff?: BackoffPolicy;
  /** Stop after this many batches (the default drains everything that is due). */
  maxBatches?: number;
  faults?: (point: FaultPoint) => void;
}

export interface DrainReport {
  batches: number;
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  deferred: number;
  acceptedSeqs: number[];
  /** Why the drain stopped early (null: nothing left that is due). */
  stoppedBy: null | 'retry' | 'fatal' | 'rejected' | 'deferred' | 'limit';
  error: string | null;
}

/** Apply one batch's answers to the jobs; returns whether draining may continue. */
export function applyOutcome(
  outbox: OutboxPort,
  jobs: OutboxJob[],
  outcome: BatchOutcome,
  nowMs: number,
  random: () => number,
  policy: BackoffPolicy,
  report: DrainReport,
): boolean {
  const attempt = Math.max(...jobs.map((job) => job.attempts)) + 1;
  if (outcome.kind === 'retry') {
    const wait = retryDelayMs(attempt, outcome.retryAfterMs, policy, random);
    outbox.scheduleRetry(
      jobs.map((job) => job.seq),
      nowMs + wait,
      outcome.error,
    );
    report.stoppedBy = 'retry';
    report.error = outcome.error;
    return false;
  }
  if (outcome.kind === 'fatal') {
    report.stoppedBy = 'fatal';
    report.error = outcome.error;
    return false;
  }
  const bySeq = new Map(outcome.results.map((answer) => [answer.seq, answer]));
  const acked: number[] = [];
  let blocked: RecordAnswer | null = null;
  const unanswered: number[] = [];
  for (const job of jobs) {
    const answer = bySeq.get(job.seq);
    // Nothing after a deferred record can have landed; after a rejected one the server may have taken the rest (it keeps a record refused for another kiosk's session aside and goes on).
    if (blocked?.status === 'deferred' || !answer) {
      unanswered.push(job.seq);
      continue;
    }
    if (answer.status === 'accepted' || answer.status === 'duplicate') {
      acked.push(job.seq);
      report[answer.status]++;
      if (answer.status === 'accepted') report.acceptedSeqs.push(job.seq);
    } else {
      blocked = answer;
      const error = `${answer.code ?? 'REJECTED'}: ${answer.message ?? 'the server refused this record'}`;
      if (answer.status === 'rejected') {
        outbox.markRejected(job.seq, error);
        report.rejected++;
      } else {
        unanswered.push(job.seq);
        report.deferred++;
      }
    }
  }
  if (acked.length > 0) outbox.markAcked(acked, nowMs);
  if (blocked) {
    // Later records chain onto this one: wait (with backoff) rather than hammer the server.
    if (unanswered.length > 0) {
      outbox.scheduleRetry(
        unanswered,
        nowMs + retryDelayMs(attempt, null, policy, random),
        `${blocked.code ?? 'BLOCKED'}: ${blocked.message ?? ''}`,
      );
    }
    report.stoppedBy = blocked.status === 'rejected' ? 'rejected' : 'deferred';
    report.error = `${blocked.code ?? ''}: ${blocked.message ?? ''}`;
    return false;
  }
  // A server that answered none of the records made no progress; back off instead of looping.
  if (acked.length === 0) {
    outbox.scheduleRetry(unanswered, nowMs + retryDelayMs(attempt, null, policy, random), 'The server answered no record of the batch.');
    report.stoppedBy = 'retry';
    report.error = 'no record answered';
    return false;
  }
  return true;
}

/** A drain that has sent nothing yet. */
export function emptyDrainReport(): DrainReport {
  return { batches: 0, sent: 0, accepted: 0, duplicate: 0, rejected: 0, deferred: 0, acceptedSeqs: [], stoppedBy: null, error: null };
}

/** Send due jobs batch by batch until none is due, a batch must wait, or the server refuses. */
export async function drainQueue(deps: DrainDeps): Promise<DrainReport> {
  const policy = deps.backoff ?? DEFAULT_BACKOFF;
  const report = emptyDrainReport();
  for (;;) {
    if (deps.maxBatches !== undefined && report.batches >= deps.maxBatches) {
      report.stoppedBy = 'limit';
      return report;
    }
    const jobs = deps.outbox.dueJobs(deps.now(), deps.batchSize);
    if (jobs.length === 0) return report;
    deps.faults?.('before-send');
    const outcome = await deps.send(jobs);
    deps.faults?.('after-send');
    report.batches++;
    report.sent += jobs.length;
    const go = applyOutcome(deps.outbox, jobs, outcome, deps.now(), deps.random, policy, report);
    deps.faults?.('after-ack');
    if (!go) return report;
  }
}
