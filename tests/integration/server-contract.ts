// The central API's behaviour, run against each storage backend (SQLite here, PostgreSQL in postgres.test.ts).
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { canonicalJson, signedRequestHeaders, sha256Hex } from '../../src/node/sync/evidence';
import { createServer, signWebhook, type LivenessServer, type ServerOptions } from '../../src/server';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';
import { asyncHandler } from '../../src/testkit/http';

export type BackendFactory = () => Promise<{ options: Partial<ServerOptions>; cleanup(): Promise<void> }>;

const API_KEY = 'test-api-key';

export async function signedPost(
  store: DecisionStore,
  base: string,
  path: string,
  body: unknown,
  deviceId: string,
  timestamp = Date.now(),
) {
  const text = JSON.stringify(body);
  return fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedRequestHeaders((m) => store.identity.sign(m), { method: 'POST', path, body: text, deviceId, timestampMs: timestamp }),
    },
    body: text,
  });
}

export const apiGet = (base: string, path: string) => fetch(base + path, { headers: { 'x-api-key': API_KEY } });

export function serverContract(label: string, backend: BackendFactory, extra: { multiInstance?: boolean } = {}) {
  describe(`central API on ${label}`, () => {
    let dir: string;
    let server: LivenessServer;
    let base: string;
    let cleanup: () => Promise<void>;
    let backendOptions: Partial<ServerOptions>;
    const stores: DecisionStore[] = [];
    const tokens = ['tok-1', 'tok-2', 'tok-3', 'tok-4'];

    const newStore = (name: string) => {
      const store = openStore({ path: join(dir, `${name}.sqlite`) });
      stores.push(store);
      return store;
    };

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-api-'));
      const made = await backend();
      cleanup = made.cleanup;
      backendOptions = made.options;
      server = await createServer({ ...made.options, apiKey: API_KEY, enrolTokens: tokens, webhookPollMs: 50 });
      base = await server.listen({ port: 0 });
    });

    afterEach(async () => {
      for (const store of stores.splice(0)) store.close();
      await server.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    afterAll(() => undefined);

    it('enrols with a one-time token, syncs once, serves Didit-shaped decisions; a second sync sends nothing new', async () => {
      const store = newStore('kiosk');
      store.recordDecision(makeResult('sess-approved', 92), tinyJpeg(1));
      store.recordDecision(makeResult('sess-review', 60, 'active'));
      store.recordDecision(makeResult('sess-declined', 20, 'flash'), tinyJpeg(2));
      const client = createSyncClient({ store, serverUrl: base, enrolToken: 'tok-1', batchSize: 2 });
      const first = await client.drainOnce();
      expect(first).toMatchObject({ accepted: 3, duplicate: 0, rejected: 0, batches: 2, stoppedBy: null });
      const second = await client.drainOnce();
      expect(second).toMatchObject({ sent: 0, accepted: 0, batches: 0 });
      expect(store.stats()).toMatchObject({ pending: 0, done: 3 });

      const response = await apiGet(base, '/v3/session/sess-approved/decision/');
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ session_id: 'sess-approved', status: 'Approved', kiosk: first.deviceId });
      const check = body.liveness_checks[0];
      expect(check).toMatchObject({
        method: 'PASSIVE',
        score: 92,
        status: 'Approved',
        face_quality: 80,
        face_luminance: 55,
        model_versions: { pad: 'test@0 0000' },
      });
      expect(check.reference_image).toBe(`${base}/v3/session/sess-approved/reference-image`);
      expect(JSON.stringify(body)).not.toContain(tinyJpeg(1).toString('base64'));
      const image = await apiGet(base, '/v3/session/sess-approved/reference-image');
      expect(image.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await image.arrayBuffer()).equals(tinyJpeg(1))).toBe(true);

      const flash = await (await apiGet(base, '/v3/session/sess-declined/decision/')).json();
      expect(flash.liveness_checks[0]).toMatchObject({
        method: 'FLASHING',
        flash_sequence: { seed: 'abc' },
        warnings: [{ risk: 'LOW_LIVENESS_SCORE', log_type: 'warning' }],
      });
      const active = await (await apiGet(base, '/v3/session/sess-review/decision')).json();
      expect(active.liveness_checks[0]).toMatchObject({
        method: 'ACTIVE_3D',
        challenges_completed: ['head_left', 'smile'],
        reference_image: null,
      });

      const list = await (await apiGet(base, `/v3/sessions?kiosk=${first.deviceId}&status=Declined`)).json();
      expect(list.count).toBe(1);
      expect(list.results[0].session_id).toBe('sess-declined');
      const future = await (await apiGet(base, '/v3/sessions?from=2999-01-01')).json();
      expect(future.count).toBe(0);
      const bad = await apiGet(base, '/v3/sessions?from=yesterday-ish');
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('INVALID_ARGUMENT');
      expect((await apiGet(base, '/v3/session/nope/decision/')).status).toBe(404);

      const metrics = await (await apiGet(base, '/metrics')).text();
      expect(metrics).toMatch(/liveness_decisions_total\{outcome="accepted"\} 3/);
      expect(metrics).toMatch(/liveness_http_requests_total\{.*route="\/v1\/decisions".*\} 2/);
    });

    it('one-time tokens: another device cannot reuse one; the same device may enrol again', async () => {
      const a = newStore('a');
      const b = newStore('b');
      const idA = await createSyncClient({ store: a, serverUrl: base, enrolToken: 'tok-2' }).enrol();
      a.db.prepare('DELETE FROM settings').run();
      expect(await createSyncClient({ store: a, serverUrl: base, enrolToken: 'tok-2' }).enrol()).toBe(idA);
      await expect(createSyncClient({ store: b, serverUrl: base, enrolToken: 'tok-2' }).enrol()).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/ENROL_TOKEN_USED/),
      });
      await expect(createSyncClient({ store: b, serverUrl: base, enrolToken: 'nope' }).enrol()).rejects.toMatchObject({
        message: expect.stringMatching(/ENROL_TOKEN_INVALID/),
      });
      await expect(createSyncClient({ store: b, serverUrl: base }).drainOnce()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('authenticates every route: api key for integrators, fresh device signatures for kiosks', async () => {
      const noKey = await fetch(`${base}/v3/sessions`);
      expect(noKey.status).toBe(401);
      expect(await noKey.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect((await fetch(`${base}/metrics`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
      expect((await fetch(`${base}/v1/review`)).status).toBe(401);
      const store = newStore('k');
      const id = await createSyncClient({ store, serverUrl: base, enrolToken: 'tok-3' }).enrol();
      store.recordDecision(makeResult('auth-1'));
      const records = store.signedRecords([1]);
      const stale = await signedPost(store, base, '/v1/decisions', { records }, id, Date.now() - 10 * 60_000);
      expect(stale.status).toBe(401);
      const other = newStore('other');
      const forged = await signedPost(other, base, '/v1/decisions', { records }, id);
      expect(forged.status).toBe(401);
      expect((await forged.json()).error.code).toBe('UNAUTHORIZED');
      const unknown = await signedPost(store, base, '/v1/decisions', { records }, 'dev_unknown');
      expect(unknown.status).toBe(401);
      expect(
        (await fetch(`${base}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
      ).toBe(401);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it('duplicate and reordered deliveries: out-of-order batches wait for their predecessor, re-sends answer duplicate', async () => {
      const store = newStore('k');
      const id = await createSyncClient({ store, serverUrl: base, enrolToken: 'tok-1' }).enrol();
      for (let i = 1; i <= 4; i++) store.recordDecision(makeResult(`r-${i}`), i % 2 ? tinyJpeg(i) : null);
      const rec = (...seqs: number[]) => store.signedRecords(seqs);
      const early = await signedPost(store, base, '/v1/decisions', { records: rec(3, 4) }, id);
      expect(early.status).toBe(409);
      const earlyBody = await early.json();
      expect(earlyBody.error.code).toBe('CHAIN_GAP');
      expect(earlyBody.results[0]).toMatchObject({ seq: 3, status: 'deferred', expected_seq: 1 });
      const first = await (await signedPost(store, base, '/v1/decisions', { records: rec(2, 1) }, id)).json();
      expect(first.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted']);
      const later = await (await signedPost(store, base, '/v1/decisions', { records: rec(4, 3) }, id)).json();
      expect(later.results.map((r: { seq: number; status: string }) => `${r.seq}:${r.status}`)).toEqual(['3:accepted', '4:accepted']);
      const again = await signedPost(store, base, '/v1/decisions', { records: rec(1, 2, 3, 4) }, id);
      expect(again.status).toBe(200);
      expect((await again.json()).results.every((r: { status: string }) => r.status === 'duplicate')).toBe(true);
      const list = await (await apiGet(base, '/v3/sessions')).json();
      expect(list.count).toBe(4);
    });

    it('detects an edited record (hash, then signature) and flags it for audit', async () => {
      const store = newStore('k');
      const client = createSyncClient({ store, serverUrl: base, enrolToken: 'tok-1' });
      store.recordDecision(makeResult('t-1', 30));
      store.recordDecision(makeResult('t-2', 30));
      store.recordDecision(makeResult('t-3', 30));
      // Someone turns a decline into an approval in the kiosk's database.
      store.db
        .prepare('UPDATE decisions SET record_json = replace(record_json, \'"status":"Declined"\', \'"status":"Approved"\') WHERE seq = 2')
        .run();
      const report = await client.drainOnce();
      expect(report).toMatchObject({ accepted: 1, rejected: 1, stoppedBy: 'rejected' });
      expect(store.stats()).toMatchObject({ done: 1, rejected: 1, pending: 1 });
      expect(store.stats().lastError).toMatch(/RECORD_HASH_MISMATCH|CHAIN/);
      // A more careful forger recomputes the hash too: the signature no longer verifies.
      const row = store.db.prepare('SELECT record_json FROM decisions WHERE seq = 2').get() as { record_json: string };
      const rehashed = sha256Hex(canonicalJson(JSON.parse(row.record_json)));
      const forged = store.signedRecords([2]).map((r) => ({ ...r, hash: rehashed }));
      const response = await signedPost(store, base, '/v1/decisions', { records: forged }, report.deviceId);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('BAD_SIGNATURE');
      const audit = await (await apiGet(base, '/v1/audit')).json();
      expect(audit.results.map((e: { code: string }) => e.code).sort()).toEqual(['BAD_SIGNATURE', 'RECORD_HASH_MISMATCH']);
      expect((await apiGet(base, '/v3/session/t-2/decision/')).status).toBe(404);
    });

    it('detects a deleted record: the next one is held back as a chain gap and flagged', async () => {
      const store = newStore('k');
      const client = createSyncClient({ store, serverUrl: base, enrolToken: 'tok-1' });
      for (let i = 1; i <= 3; i++) store.recordDecision(makeResult(`d-${i}`));
      store.db.prepare('DELETE FROM decisions WHERE seq = 2').run();
      const report = await client.drainOnce();
      expect(report).toMatchObject({ accepted: 1, deferred: 1, stoppedBy: 'deferred' });
      const audit = await (await apiGet(base, '/v1/audit')).json();
      expect(audit.results).toEqual([
        expect.objectContaining({ code: 'CHAIN_GAP', seq: 3, detail: expect.stringMatching(/record 2 is missing/) }),
      ]);
      expect((await apiGet(base, '/v3/session/d-3/decision/')).status).toBe(404);
    });

    it('review queue: In Review decisions are settled by a named reviewer, and subscribers get signed webhooks, retried', async () => {
      let calls = 0;
      const received: { body: string; signature: string }[] = [];
      const hook = createHttpServer(
        asyncHandler(async (req: IncomingMessage, res) => {
          let body = '';
          for await (const chunk of req) body += chunk;
          calls++;
          if (calls === 1) return void res.writeHead(500).end();
          received.push({ body, signature: String(req.headers['x-signature']) });
          res.writeHead(204).end();
        }),
      );
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
      const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
      await server.close();
      server = await createServer({
        ...backendOptions,
        apiKey: API_KEY,
        enrolTokens: tokens,
        webhooks: [{ url: hookUrl, secret: 's3cret' }],
        webhookPollMs: 20,
      });
      base = await server.listen({ port: 0 });
      try {
        const store = newStore('k');
        store.recordDecision(makeResult('rv-1', 62));
        await createSyncClient({ store, serverUrl: base, enrolToken: 'tok-4' }).drainOnce();
        const queue = await (await apiGet(base, '/v1/review')).json();
        expect(queue.results.map((d: { session_id: string }) => d.session_id)).toEqual(['rv-1']);
        const bad = await fetch(`${base}/v1/review/rv-1`, {
          method: 'POST',
          headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
          body: '{"decision":"Maybe"}',
        });
        expect(bad.status).toBe(400);
        const settled = await fetch(`${base}/v1/review/rv-1`, {
          method: 'POST',
          headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'Approve', reviewer: 'alice' }),
        });
        expect(settled.status).toBe(200);
        const body = await settled.json();
        expect(body.status).toBe('Approved');
        expect(body.reviews).toEqual([
          expect.objectContaining({
            user: 'alice',
            decision: 'Approve',
            previous_status: 'In Review',
            new_status: 'Approved',
            created_at: expect.any(String),
          }),
        ]);
        const twice = await fetch(`${base}/v1/review/rv-1`, {
          method: 'POST',
          headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'Decline', reviewer: 'bob' }),
        });
        expect(twice.status).toBe(409);
        expect((await twice.json()).error.code).toBe('NOT_IN_REVIEW');
        expect((await (await apiGet(base, '/v1/review')).json()).count).toBe(0);
        // Two events (received In Review, then Approved); the first attempt got a 500 and was retried.
        for (let i = 0; i < 200 && received.length < 2; i++) {
          await server.flushWebhooks();
          await new Promise((r) => setTimeout(r, 25));
        }
        expect(received).toHaveLength(2);
        for (const delivery of received) expect(delivery.signature).toBe(signWebhook('s3cret', delivery.body));
        expect(received.map((d) => JSON.parse(d.body).status).sort()).toEqual(['Approved', 'In Review']);
        expect(JSON.parse(received[0].body)).toMatchObject({ event: 'session.status.updated', session_id: 'rv-1' });
        const deliveries = await (await apiGet(base, '/v1/webhooks/deliveries?session_id=rv-1')).json();
        expect(deliveries.results.every((d: { state: string }) => d.state === 'delivered')).toBe(true);
        expect(deliveries.results.map((d: { attempts: number }) => Number(d.attempts)).sort()).toEqual([1, 2]);
        expect(await (await apiGet(base, '/metrics')).text()).toMatch(/liveness_webhook_deliveries_total\{outcome="retry"\} 1/);
      } finally {
        await new Promise<void>((r) => hook.close(() => r()));
      }
    });

    it('honours 429/503 with Retry-After (seconds or date) from a proxy in front of the server, then delivers', async () => {
      let mode: 'seconds' | 'date' | 'pass' = 'seconds';
      let clock = Date.now();
      const proxy = createHttpServer(
        asyncHandler(async (req, res) => {
          const chunks: Buffer[] = [];
          for await (const c of req) chunks.push(c as Buffer);
          if (req.url === '/v1/decisions' && mode !== 'pass') {
            const retryAfter = mode === 'seconds' ? '120' : new Date(clock + 600_000).toUTCString();
            return void res
              .writeHead(mode === 'seconds' ? 503 : 429, { 'retry-after': retryAfter, 'content-type': 'application/json' })
              .end('{"error":{"code":"RATE_LIMITED","message":"slow down"}}');
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers))
            if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
          const upstream = await fetch(base + req.url, {
            method: req.method,
            headers,
            body: chunks.length ? Buffer.concat(chunks) : undefined,
          });
          res
            .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
            .end(Buffer.from(await upstream.arrayBuffer()));
        }),
      );
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      try {
        const store = openStore({ path: join(dir, 'clocked.sqlite'), now: () => clock });
        stores.push(store);
        store.recordDecision(makeResult('ra-1'));
        const client = createSyncClient({ store, serverUrl: proxyUrl, enrolToken: 'tok-1', now: () => clock, random: () => 0 });
        expect(await client.drainOnce()).toMatchObject({ stoppedBy: 'retry', error: expect.stringMatching(/RATE_LIMITED/) });
        expect(store.nextDueAt()).toBe(clock + 120_000);
        expect(await client.drainOnce()).toMatchObject({ sent: 0 });
        clock += 120_000;
        mode = 'date';
        await client.drainOnce();
        expect(store.nextDueAt()! - clock).toBeGreaterThan(590_000);
        clock += 600_000;
        mode = 'pass';
        expect(await client.drainOnce()).toMatchObject({ accepted: 1, stoppedBy: null });
      } finally {
        await new Promise<void>((r) => proxy.close(() => r()));
      }
    });

    if (extra.multiInstance) {
      it('several stateless instances on one database: the same batch sent to both is stored once', async () => {
        const second = await createServer({ ...backendOptions, apiKey: API_KEY, enrolTokens: tokens });
        const base2 = await second.listen({ port: 0 });
        try {
          const store = newStore('k');
          const id = await createSyncClient({ store, serverUrl: base, enrolToken: 'tok-1' }).enrol();
          for (let i = 1; i <= 20; i++) store.recordDecision(makeResult(`mi-${i}`));
          const records = store.signedRecords(Array.from({ length: 20 }, (_, i) => i + 1));
          const answers = await Promise.all(
            [base, base2, base, base2].map((b) => signedPost(store, b, '/v1/decisions', { records }, id).then((r) => r.json())),
          );
          const statuses = answers.flatMap((a) => a.results.map((r: { status: string }) => r.status));
          expect(statuses.filter((s: string) => s === 'accepted')).toHaveLength(20);
          expect(statuses.filter((s: string) => s === 'duplicate')).toHaveLength(60);
          expect((await (await apiGet(base2, '/v3/sessions?limit=500')).json()).count).toBe(20);
        } finally {
          await second.close();
        }
      });
    }
  });
}
