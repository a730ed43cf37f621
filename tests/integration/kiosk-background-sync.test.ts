// The kiosk drains its outbox on its own: decisions made offline reach the central API once it comes up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKioskSync } from '../../src/node/kiosk/background-sync';
import { openStore } from '../../src/node/store';
import { createServer } from '../../src/server';
import { freePort, makeResult, tinyJpeg } from '../../src/testkit/fault-support';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kiosk background sync', () => {
  it('keeps decisions while the server is down and delivers each once when it comes up', async () => {
    const store = openStore({ path: join(dir, 'kiosk.sqlite') });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logs: string[] = [];
    const loop = startKioskSync(store, { serverUrl: url, enrolToken: 'T1', idleMs: 200 }, (line) => logs.push(line));
    const server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: 'K', enrolTokens: ['T1'] });
    try {
      store.recordDecision(makeResult('offline-1'), tinyJpeg(1));
      store.recordDecision(makeResult('offline-2', 60), tinyJpeg(2));
      await waitFor(async () => (logs.some((l) => l.includes('will retry')) ? true : null));
      expect(store.stats()).toMatchObject({ total: 2, pending: 2 });

      await server.listen({ port });
      const seen = await waitFor(async () => {
        const response = await fetch(`${url}/v3/sessions`, { headers: { 'x-api-key': 'K' } });
        const body = (await response.json()) as { count: number; results: { session_id: string }[] };
        return body.count >= 2 ? body.results.map((r) => r.session_id).sort() : null;
      });
      expect(seen).toEqual(['offline-1', 'offline-2']);

      store.recordDecision(makeResult('online-3'), tinyJpeg(3));
      const all = await waitFor(async () => {
        const response = await fetch(`${url}/v3/sessions`, { headers: { 'x-api-key': 'K' } });
        const body = (await response.json()) as { count: number; results: { session_id: string }[] };
        return body.count >= 3 ? body.results.map((r) => r.session_id).sort() : null;
      });
      expect(all).toEqual(['offline-1', 'offline-2', 'online-3']);
      await waitFor(async () => (store.stats().pending === 0 ? true : null));
    } finally {
      await loop.stop();
      await server.close();
      store.close();
    }
  });
});
