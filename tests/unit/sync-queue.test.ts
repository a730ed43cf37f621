// The pure outbox queue: backoff with full jitter, Retry-After, and the state transitions each answer causes.
import { describe, expect, it } from 'vitest';
import {
  applyOutcome,
  backoffDelayMs,
  classifyStatus,
  drainQueue,
  parseRetryAfter,
  retryDelayMs,
  type BatchOutcome,
  type DrainReport,
  type OutboxJob,
  type OutboxPort,
} from '../../src/node/sync/queue';

class MemoryOutbox implements OutboxPort {
  jobs = new Map<number, { state: 'pending' | 'done' | 'rejected'; attempts: number; next: number; error: string | null }>();
  constructor(count: number) {
    for (let seq = 1; seq <= count; seq++) this.jobs.set(seq, { state: 'pending', attempts: 0, next: 0, error: null });
  }
  dueJobs(now: number, limit: number): OutboxJob[] {
    const pending = [...this.jobs.entries()]
      .filter(([, j]) => j.state === 'pending')
      .sort(([a], [b]) => a - b)
      .slice(0, limit);
    if (pending.length === 0 || pending[0][1].next > now) return [];
    return pending.map(([seq, j]) => ({ seq, idempotencyKey: `s:${seq}`, attempts: j.attempts, nextAttemptAt: j.next }));
  }
  markAcked(seqs: readonly number[]) {
    for (const seq of seqs) this.jobs.get(seq)!.state = 'done';
  }
  scheduleRetry(seqs: readonly number[], at: number, error: string) {
    for (const seq of seqs) Object.assign(this.jobs.get(seq)!, { attempts: this.jobs.get(seq)!.attempts + 1, next: at, error });
  }
  markRejected(seq: number, error: string) {
    Object.assign(this.jobs.get(seq)!, { state: 'rejected', error });
  }
  count(state: string) {
    return [...this.jobs.values()].filter((j) => j.state === state).length;
  }
}

const emptyReport = (): DrainReport => ({
  batches: 0,
  sent: 0,
  accepted: 0,
  duplicate: 0,
  rejected: 0,
  deferred: 0,
  acceptedSeqs: [],
  stoppedBy: null,
  error: null,
});
const policy = { baseMs: 1000, capMs: 60_000 };

describe('backoff', () => {
  it('uses full jitter under an exponential ceiling that is capped', () => {
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(2000);
    expect(backoffDelayMs(30, policy, () => 0.999999)).toBe(59_999);
    expect(backoffDelayMs(4, policy, () => 0)).toBe(0);
  });

  it('never waits less than the server asked for', () => {
    expect(retryDelayMs(1, 30_000, policy, () => 0.1)).toBe(30_000);
    expect(retryDelayMs(10, 10, policy, () => 1)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });

  it('classifies statuses: 429/503/5xx retry, 400/409 carry answers, 401 stops', () => {
    expect(classifyStatus(200)).toBe('answered');
    expect(classifyStatus(409)).toBe('answered');
    expect(classifyStatus(429)).toBe('retry');
    expect(classifyStatus(503)).toBe('retry');
    expect(classifyStatus(500)).toBe('retry');
    expect(classifyStatus(401)).toBe('fatal');
  });
});

describe('state transitions', () => {
  it('acks accepted and duplicate records, and only those', () => {
    const outbox = new MemoryOutbox(3);
    const jobs = outbox.dueJobs(0, 10);
    const report = emptyReport();
    const go = applyOutcome(
      outbox,
      jobs,
      {
        kind: 'answered',
        results: [
          { seq: 1, status: 'accepted' },
          { seq: 2, status: 'duplicate' },
        ],
      },
      0,
      () => 0.5,
      policy,
      report,
    );
    expect(go).toBe(true);
    expect(outbox.count('done')).toBe(2);
    expect(outbox.jobs.get(3)!.state).toBe('pending');
    expect(report).toMatchObject({ accepted: 1, duplicate: 1, acceptedSeqs: [1] });
  });

  it('a retryable answer keeps every job pending with a later due time honouring Retry-After', () => {
    const outbox = new MemoryOutbox(2);
    const report = emptyReport();
    const outcome: BatchOutcome = { kind: 'retry', error: 'RATE_LIMITED', retryAfterMs: 5000 };
    expect(applyOutcome(outbox, outbox.dueJobs(100, 10), outcome, 100, () => 0, policy, report)).toBe(false);
    expect(outbox.jobs.get(1)).toMatchObject({ state: 'pending', attempts: 1, next: 5100 });
    expect(outbox.dueJobs(5099, 10)).toEqual([]);
    expect(outbox.dueJobs(5100, 10)).toHaveLength(2);
  });

  it('a rejected record is set aside and the records chained after it wait', () => {
    const outbox = new MemoryOutbox(3);
    const report = emptyReport();
    const outcome: BatchOutcome = {
      kind: 'answered',
      results: [
        { seq: 1, status: 'accepted' },
        { seq: 2, status: 'rejected', code: 'BAD_SIGNATURE', message: 'x' },
      ],
    };
    applyOutcome(outbox, outbox.dueJobs(0, 10), outcome, 0, () => 0.5, policy, report);
    expect(outbox.jobs.get(1)!.state).toBe('done');
    expect(outbox.jobs.get(2)).toMatchObject({ state: 'rejected' });
    expect(outbox.jobs.get(3)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(report.stoppedBy).toBe('rejected');
  });

  it('a fatal answer leaves jobs untouched', () => {
    const outbox = new MemoryOutbox(1);
    const report = emptyReport();
    applyOutcome(outbox, outbox.dueJobs(0, 10), { kind: 'fatal', error: 'UNAUTHORIZED' }, 0, () => 0.5, policy, report);
    expect(outbox.jobs.get(1)).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('drainQueue', () => {
  it('sends in chain order, in batches, until nothing is due', async () => {
    const outbox = new MemoryOutbox(7);
    const batches: number[][] = [];
    const report = await drainQueue({
      outbox,
      batchSize: 3,
      now: () => 0,
      random: () => 0.5,
      send: async (jobs) => {
        batches.push(jobs.map((j) => j.seq));
        return { kind: 'answered', results: jobs.map((j) => ({ seq: j.seq, status: 'accepted' as const })) };
      },
    });
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(report).toMatchObject({ batches: 3, accepted: 7, stoppedBy: null });
    expect(outbox.count('done')).toBe(7);
  });

  it('a crash after sending (before the ack) re-sends the same jobs next time', async () => {
    const outbox = new MemoryOutbox(2);
    const seen: number[] = [];
    const send = async (jobs: OutboxJob[]): Promise<BatchOutcome> => {
      seen.push(...jobs.map((j) => j.seq));
      return { kind: 'answered', results: jobs.map((j) => ({ seq: j.seq, status: 'accepted' as const })) };
    };
    await expect(
      drainQueue({
        outbox,
        batchSize: 5,
        now: () => 0,
        random: () => 0,
        send,
        faults: (p) => {
          if (p === 'after-send') throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(outbox.count('pending')).toBe(2);
    await drainQueue({ outbox, batchSize: 5, now: () => 0, random: () => 0, send });
    expect(seen).toEqual([1, 2, 1, 2]);
    expect(outbox.count('done')).toBe(2);
  });
});
