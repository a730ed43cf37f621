// The pure outbox queue's timing: backoff with full jitter, Retry-After, and how an HTTP status is read. What each
// answer does to the jobs is tested on the kiosk's real outbox (tests/integration/sync-queue.test.ts).
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyStatus, parseRetryAfter, retryDelayMs } from '../../src/node/sync/queue';

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
