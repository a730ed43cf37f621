// The outbox queue driving the kiosk's real outbox (the SQLite DecisionStore): which jobs are due, and what each
// batch answer does to them: acks, retries honouring Retry-After, a rejected record set aside, a crash re-sending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import {
  applyOutcome,
  drainQueue,
  emptyDrainReport,
  type BatchOutcome,
  type OutboxJob,
  type RecordAnswer,
} from '../../src/node/sync/queue';
import { makeResult } from '../../src/testkit/fault-support';

const policy = { baseMs: 1000, capMs: 60_000 };
const opened: { dir: string; store: DecisionStore }[] = [];

afterEach(() => {
  for (const { dir, store } of opened.splice(0)) {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh kiosk store holding `count` recorded decisions, each with a pending outbox job due at time 0. */
function storeWith(count: number): DecisionStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'liveness-queue-'));
  const store = openStore({ path: path.join(dir, 'kiosk.sqlite'), now: () => 0 });
  opened.push({ dir, store });
  for (let i = 1; i <= count; i++) store.recordDecision(makeResult(`q-${i}`));
  return store;
}

interface OutboxRow {
  seq: number;
  state: string;
  attempts: number;
  next_attempt_at: number;
}

const job = (store: DecisionStore, seq: number): OutboxRow =>
  store.db.prepare('SELECT seq, state, attempts, next_attempt_at FROM outbox WHERE seq = ?').get(seq) as OutboxRow;
const count = (store: DecisionStore, state: string): number =>
  (store.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE state = ?').get(state) as { n: number }).n;
const answered = (...results: RecordAnswer[]): BatchOutcome => ({ kind: 'answered', results });
const acceptAll = (jobs: OutboxJob[]): BatchOutcome => answered(...jobs.map((j) => ({ seq: j.seq, status: 'accepted' as const })));

describe('state transitions on the kiosk outbox', () => {
  it('acks accepted and duplicate records, and only those', () => {
    const store = storeWith(3);
    const report = emptyDrainReport();
    const outcome = answered({ seq: 1, status: 'accepted' }, { seq: 2, status: 'duplicate' });
    expect(applyOutcome(store, store.dueJobs(0, 10), outcome, 0, () => 0.5, policy, report)).toBe(true);
    expect(count(store, 'done')).toBe(2);
    expect(job(store, 3)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(report).toMatchObject({ accepted: 1, duplicate: 1, acceptedSeqs: [1] });
  });

  it('a retryable answer keeps every job pending with a later due time honouring Retry-After', () => {
    const store = storeWith(2);
    const outcome: BatchOutcome = { kind: 'retry', error: 'RATE_LIMITED', retryAfterMs: 5000 };
    expect(applyOutcome(store, store.dueJobs(100, 10), outcome, 100, () => 0, policy, emptyDrainReport())).toBe(false);
    expect(job(store, 1)).toMatchObject({ state: 'pending', attempts: 1, next_attempt_at: 5100 });
    expect(store.dueJobs(5099, 10)).toEqual([]);
    expect(store.dueJobs(5100, 10)).toHaveLength(2);
  });

  it('a rejected record is set aside and the records chained after it wait', () => {
    const store = storeWith(3);
    const report = emptyDrainReport();
    const outcome = answered({ seq: 1, status: 'accepted' }, { seq: 2, status: 'rejected', code: 'BAD_SIGNATURE', message: 'x' });
    expect(applyOutcome(store, store.dueJobs(0, 10), outcome, 0, () => 0.5, policy, report)).toBe(false);
    expect(job(store, 1).state).toBe('done');
    expect(job(store, 2)).toMatchObject({ state: 'rejected', attempts: 1 });
    expect(job(store, 3)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(report).toMatchObject({ rejected: 1, stoppedBy: 'rejected' });
  });

  it('a fatal answer leaves jobs untouched', () => {
    const store = storeWith(1);
    const report = emptyDrainReport();
    expect(applyOutcome(store, store.dueJobs(0, 10), { kind: 'fatal', error: 'UNAUTHORIZED' }, 0, () => 0.5, policy, report)).toBe(false);
    expect(job(store, 1)).toMatchObject({ state: 'pending', attempts: 0, next_attempt_at: 0 });
    expect(report).toMatchObject({ stoppedBy: 'fatal', error: 'UNAUTHORIZED' });
  });
});

describe('drainQueue on the kiosk outbox', () => {
  it('sends in chain order, in batches, until nothing is due', async () => {
    const store = storeWith(7);
    const batches: number[][] = [];
    const report = await drainQueue({
      outbox: store,
      batchSize: 3,
      now: () => 0,
      random: () => 0.5,
      send: async (jobs) => {
        batches.push(jobs.map((j) => j.seq));
        return acceptAll(jobs);
      },
    });
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(report).toMatchObject({ batches: 3, accepted: 7, stoppedBy: null });
    expect(count(store, 'done')).toBe(7);
  });

  it('a crash after sending (before the ack) re-sends the same jobs next time', async () => {
    const store = storeWith(2);
    const seen: number[] = [];
    const send = async (jobs: OutboxJob[]): Promise<BatchOutcome> => {
      seen.push(...jobs.map((j) => j.seq));
      return acceptAll(jobs);
    };
    const crashAfterSend = (point: string) => {
      if (point === 'after-send') throw new Error('killed');
    };
    await expect(drainQueue({ outbox: store, batchSize: 5, now: () => 0, random: () => 0, send, faults: crashAfterSend })).rejects.toThrow(
      'killed',
    );
    expect(count(store, 'pending')).toBe(2);
    await drainQueue({ outbox: store, batchSize: 5, now: () => 0, random: () => 0, send });
    expect(seen).toEqual([1, 2, 1, 2]);
    expect(count(store, 'done')).toBe(2);
  });
});
