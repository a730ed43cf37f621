// Issue 9, server doors: each reproduction of the issue as a test that names it, over real HTTP on SQLite files and
// on PostgreSQL: bodies capped per route and refused before they are read, replayed signed requests, a kiosk filing
// under another kiosk's session, enrolment that burns tokens or takes guesses by the hundred, and NUL or lone
// surrogates in ids, queries and bodies on every registered route.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { REQUEST_FRESHNESS_MS, signedRequestHeaders } from '../../src/node/sync/evidence';
import { createServer, type LivenessServer, type ServerOptions } from '../../src/server';
import {
  DECISIONS_BODY_LIMIT,
  ENROL_RATE_LIMIT,
  JSON_BODY_LIMIT,
  SESSION_CREATE_BODY_LIMIT,
  UPLOAD_BODY_LIMIT,
} from '../../src/server/http/limits';
import { freshSchema, testDatabaseUrl } from '../../src/testkit/postgres';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';

const KEY = 'doors-api-key';
const TOKENS = ['door-1', 'door-2', 'door-3'];

type Backend = () => Promise<{ options: Partial<ServerOptions>; cleanup(): Promise<void> }>;

const sqliteBackend: Backend = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-doors-db-'));
  return { options: { db: join(dir, 'server.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
};

/** Send only the headers of a request that declares `length` bytes, and resolve with the answer the server gives before any body byte. */
function answerBeforeBody(
  base: string,
  path: string,
  headers: Record<string, string>,
  length: number,
): Promise<{ status: number; body: { error?: { code?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'POST', headers: { ...headers, 'content-length': String(length) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error?: { code?: string } } });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** Every method and path the server registered, from Fastify's own route tree. */
function registeredRoutes(server: LivenessServer): Array<{ method: string; path: string }> {
  const stack: string[] = [];
  const routes: Array<{ method: string; path: string }> = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push({ method, path: stack.join('') });
  }
  return routes;
}

function doorsContract(label: string, backend: Backend) {
  describe(`server doors (${label})`, () => {
    let server: LivenessServer;
    let base: string;
    let cleanup: () => Promise<void>;
    let backendOptions: Partial<ServerOptions>;
    let dir: string;
    const stores: DecisionStore[] = [];
    const kiosk = (name: string) => {
      const store = openStore({ path: join(dir, `${name}.sqlite`) });
      stores.push(store);
      return store;
    };
    const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(base + path, {
        method: init.method ?? 'GET',
        headers: { 'x-api-key': KEY, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const signed = (
      store: DecisionStore,
      deviceId: string,
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
      extra: { nonce?: string } = {},
    ) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      return {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...signedRequestHeaders((m) => store.identity.sign(m), { method, path, body: text, deviceId, ...extra }),
        },
        body: body === undefined ? undefined : text,
      };
    };

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-doors-'));
      const made = await backend();
      cleanup = made.cleanup;
      backendOptions = made.options;
      server = await createServer({ ...made.options, apiKey: KEY, enrolTokens: TOKENS });
      base = await server.listen({ port: 0 });
    });

    afterEach(async () => {
      for (const store of stores.splice(0)) store.close();
      await server?.close();
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('issue 9 "POST /v1/decisions reads and parses a whole body before it checks the device signature": a 47 MB unsigned body is refused 401 before a byte is sent', async () => {
      const answer = await answerBeforeBody(base, '/v1/decisions', { 'content-type': 'application/json' }, 47 * 1024 * 1024);
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      const store = kiosk('a');
      const deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'door-1' }).enrol();
      // A signed request whose nonce was already spent is refused on arrival too, before its body.
      const first = signed(store, deviceId, 'GET', '/v1/kiosk/signing-key');
      expect((await fetch(base + '/v1/kiosk/signing-key', first)).status).toBe(200);
      const replay = await answerBeforeBody(
        base,
        '/v1/decisions',
        { ...first.headers, 'content-type': 'application/json' },
        47 * 1024 * 1024,
      );
      expect(replay).toMatchObject({ status: 401, body: { error: { code: 'REQUEST_REPLAYED' } } });
    });

    it('issue 9 "cap the body per route": an enrolled kiosk declaring more than the batch limit, a JSON route or an upload declaring more than theirs, each get 413 before the body is read', async () => {
      const store = kiosk('a');
      const deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'door-1' }).enrol();
      const decisions = signed(store, deviceId, 'POST', '/v1/decisions', { records: [] });
      expect(await answerBeforeBody(base, '/v1/decisions', decisions.headers, DECISIONS_BODY_LIMIT + 1)).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
      const json = { 'content-type': 'application/json', 'x-api-key': KEY };
      expect(await answerBeforeBody(base, '/v3/workflows/', json, JSON_BODY_LIMIT + 1)).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
      // Session creation takes a reference photo in its JSON, so its own, larger limit.
      expect(await answerBeforeBody(base, '/v3/session/', json, SESSION_CREATE_BODY_LIMIT + 1)).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
      const upload = { 'content-type': 'multipart/form-data; boundary=x', 'x-api-key': KEY };
      expect(await answerBeforeBody(base, '/v3/passive-liveness/', upload, UPLOAD_BODY_LIMIT + 1)).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
      // The limits are per route: a batch larger than any JSON route's limit is still taken.
      expect(DECISIONS_BODY_LIMIT).toBeGreaterThan(UPLOAD_BODY_LIMIT);
      expect(UPLOAD_BODY_LIMIT).toBeGreaterThan(JSON_BODY_LIMIT);
      const big = Buffer.alloc(JSON_BODY_LIMIT * 2, 7);
      big.set([0xff, 0xd8, 0xff, 0xe0]);
      store.recordDecision(makeResult('doors-big'), big);
      const report = await createSyncClient({ store, serverUrl: base }).drainOnce();
      expect(report).toMatchObject({ accepted: 1, rejected: 0 });
    });

    it('issue 9 "a signed request can be replayed inside the 5-minute window (no nonce)": the exact same signed request twice, the second is 401 REQUEST_REPLAYED and nothing is stored twice', async () => {
      const store = kiosk('a');
      const deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'door-1' }).enrol();
      store.recordDecision(makeResult('doors-replay'));
      const request = signed(store, deviceId, 'POST', '/v1/decisions', { records: store.signedRecords([1]) });
      const first = await fetch(base + '/v1/decisions', request);
      expect(first.status).toBe(200);
      const second = await fetch(base + '/v1/decisions', request);
      expect(second.status).toBe(401);
      expect((await second.json()).error).toMatchObject({ code: 'REQUEST_REPLAYED', message: expect.stringMatching(/already received/) });
      // Without a nonce a signature is not accepted at all (an old kiosk's request, or one stripped of it).
      const { 'x-nonce': _nonce, ...bare } = request.headers as Record<string, string>;
      const unsigned = await fetch(base + '/v1/decisions', { ...request, headers: bare });
      expect(unsigned.status).toBe(401);
      expect((await unsigned.json()).error.message).toMatch(/x-nonce/);
      // The enrolment request is signed with a nonce too: replaying it is refused.
      const enrolBody = { token: 'door-2', public_key: kiosk('b').identity.publicKeyPem };
      const enrol = signed(stores[1], 'enrolling', 'POST', '/v1/devices/enrol', enrolBody);
      expect((await fetch(base + '/v1/devices/enrol', enrol)).status).toBe(201);
      expect((await (await fetch(base + '/v1/devices/enrol', enrol)).json()).error.code).toBe('REQUEST_REPLAYED');
      expect((await server.storage.counts()).decisions).toBe(1);
    });

    it('request nonces expire with the window and are purged; a second instance on the same database refuses a replay the first accepted', async () => {
      let clock = Date.now();
      await server.close();
      server = await createServer({ ...backendOptions, apiKey: KEY, enrolTokens: TOKENS, now: () => clock });
      base = await server.listen({ port: 0 });
      const store = kiosk('a');
      const deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'door-1' }).enrol();
      const request = signed(store, deviceId, 'GET', '/v1/kiosk/signing-key');
      expect((await fetch(base + '/v1/kiosk/signing-key', request)).status).toBe(200);
      if (backendOptions.databaseUrl) {
        const second = await createServer({ ...backendOptions, apiKey: KEY, now: () => clock });
        try {
          const base2 = await second.listen({ port: 0 });
          expect((await (await fetch(base2 + '/v1/kiosk/signing-key', request)).json()).error.code).toBe('REQUEST_REPLAYED');
        } finally {
          await second.close();
        }
      }
      const nonceCount = async () =>
        Number((await server.storage.db.get<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM request_nonces'))?.n);
      expect(await nonceCount()).toBeGreaterThanOrEqual(2);
      clock += 2 * REQUEST_FRESHNESS_MS + 1;
      // The kiosk's clock moved with the server's: a request signed at the new time is taken, and the old nonces are gone.
      const headers = signedRequestHeaders((m) => store.identity.sign(m), {
        method: 'GET',
        path: '/v1/kiosk/signing-key',
        body: '',
        deviceId,
        timestampMs: clock,
      });
      expect((await fetch(base + '/v1/kiosk/signing-key', { headers })).status).toBe(200);
      expect(await nonceCount()).toBe(1);
    });

    it('issue 9 "an enrolled kiosk can file a record under another kiosk\'s not-yet-synced session id": refused, and the owner\'s records land and its later records are not deferred forever', async () => {
      const workflow = await (
        await api('/v3/workflows/', {
          method: 'POST',
          body: { features: [{ feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE' } }] },
        })
      ).json();
      const session = await (await api('/v3/session/', { method: 'POST', body: { workflow_id: workflow.uuid } })).json();
      const a = kiosk('a');
      const b = kiosk('b');
      const clientA = createSyncClient({ store: a, serverUrl: base, enrolToken: 'door-1' });
      const clientB = createSyncClient({ store: b, serverUrl: base, enrolToken: 'door-2' });
      const idA = await clientA.enrol();
      await clientB.enrol();
      // A takes the session by its code: the attempt is bound to A before A has synced anything.
      const claim = await fetch(
        base + '/v1/kiosk/sessions/claim',
        signed(a, idA, 'POST', '/v1/kiosk/sessions/claim', { code: session.short_code }),
      );
      expect(claim.status).toBe(200);
      const attemptId = (await claim.json()).attempt_id as string;
      // B learns the attempt id and files under it first, then a walk-in of its own.
      b.recordDecision(makeResult(attemptId, 95), tinyJpeg(1));
      b.recordDecision(makeResult('doors-b-walkin', 60));
      const reportB = await clientB.drainOnce();
      expect(reportB).toMatchObject({ accepted: 1, rejected: 1 });
      expect((await (await api(`/v3/session/${session.session_id}/decision/`)).json()).status).toBe('In Progress');
      // A's record lands on the session, and A's walk-ins after it flow.
      a.recordDecision(makeResult(attemptId, 20), tinyJpeg(3));
      a.recordDecision(makeResult('doors-a-walkin', 90));
      expect(await clientA.drainOnce()).toMatchObject({ accepted: 2, rejected: 0 });
      expect((await (await api(`/v3/session/${session.session_id}/decision/`)).json()).status).toBe('Declined');
      // The walk-in case: B files under A's not-yet-synced walk-in id first; A's record is refused and kept aside,
      // and A's later record is accepted, not deferred behind it.
      b.recordDecision(makeResult('doors-a-pending', 10));
      await clientB.drainOnce();
      a.recordDecision(makeResult('doors-a-pending', 90));
      a.recordDecision(makeResult('doors-a-next', 90));
      expect(await clientA.drainOnce()).toMatchObject({ accepted: 1, rejected: 1 });
      expect(await clientA.drainOnce()).toMatchObject({ accepted: 0, deferred: 0 });
      expect((await (await api('/v3/session/doors-a-next/decision/')).json()).status).toBe('Approved');
      const kept = (await server.storage.db.all<{ session_id: string }>('SELECT session_id FROM session_conflicts'))
        .map((row) => row.session_id)
        .sort();
      expect(kept).toEqual([attemptId, 'doors-a-pending'].sort());
      const audit = (await (await api('/v1/audit')).json()).results as Array<{ code: string; session_id: string }>;
      expect(
        audit
          .filter((e) => e.code === 'SESSION_CONFLICT')
          .map((e) => e.session_id)
          .sort(),
      ).toEqual(kept);
    });

    it('issue 9 "an already-enrolled kiosk can burn an unused enrolment token": re-enrolling answers the same device and consumes no token', async () => {
      const a = kiosk('a');
      const idA = await createSyncClient({ store: a, serverUrl: base, enrolToken: 'door-1' }).enrol();
      const again = await fetch(
        base + '/v1/devices/enrol',
        signed(a, 'enrolling', 'POST', '/v1/devices/enrol', { token: 'door-2', public_key: a.identity.publicKeyPem }),
      );
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ device_id: idA, enrolled: true });
      const tokens = await server.storage.db.all<{ used_by: string | null }>('SELECT used_by FROM enrol_tokens ORDER BY used_by');
      expect(tokens.filter((t) => t.used_by !== null)).toEqual([{ used_by: idA }]);
      const b = kiosk('b');
      expect(await createSyncClient({ store: b, serverUrl: base, enrolToken: 'door-2' }).enrol()).toMatch(/^dev_/);
    });

    it('issue 9 "enrolment has no rate limit (400 wrong tokens, no 429)": wrong tokens from one address get 429 RATE_LIMITED with Retry-After', async () => {
      const a = kiosk('a');
      const statuses: number[] = [];
      let limited: Response | null = null;
      for (let i = 0; i < ENROL_RATE_LIMIT.max + 2; i++) {
        const response = await fetch(
          base + '/v1/devices/enrol',
          signed(a, 'enrolling', 'POST', '/v1/devices/enrol', { token: `wrong-${i}`, public_key: a.identity.publicKeyPem }),
        );
        statuses.push(response.status);
        if (response.status === 429) limited = response;
        else await response.arrayBuffer();
      }
      expect(statuses.slice(0, ENROL_RATE_LIMIT.max)).toEqual(Array(ENROL_RATE_LIMIT.max).fill(401));
      expect(statuses.slice(ENROL_RATE_LIMIT.max)).toEqual([429, 429]);
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited!.json()).error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/enrolment attempts/) });
      // The right token is refused too while the window lasts: guesses cannot continue by switching to it.
      const right = await fetch(
        base + '/v1/devices/enrol',
        signed(a, 'enrolling', 'POST', '/v1/devices/enrol', { token: 'door-1', public_key: a.identity.publicKeyPem }),
      );
      expect(right.status).toBe(429);
    });

    it('issue 9 "a NUL byte in an id or a reviewer name answers 500 (/v3/session/%00/decision)": every registered route refuses NUL and lone surrogates in path, query and body with 400', async () => {
      const routes = registeredRoutes(server);
      expect(routes.length).toBeGreaterThan(50);
      const checked: string[] = [];
      for (const { method, path } of routes) {
        for (const bad of ['%00', '%ED%A0%80']) {
          const withParams = path.replace(/:[a-z_]+|\*/g, `x${bad}`);
          // A lone surrogate cannot be written in a URL's UTF-8; its closest form is the invalid sequence above, in the path.
          const urls = [
            ...(withParams !== path ? [withParams] : []),
            ...(bad === '%00' ? [`${path.replace(/:[a-z_]+|\*/g, 'x')}?q=a${bad}`] : []),
          ];
          for (const url of urls) {
            const response = await fetch(base + url, { method, headers: { 'x-api-key': KEY } });
            const body = (await response.json()) as { error?: { code?: string } };
            expect({ method, url, status: response.status, code: body.error?.code }).toEqual({
              method,
              url,
              status: 400,
              code: 'INVALID_ARGUMENT',
            });
            checked.push(`${method} ${url}`);
          }
        }
        if (!['POST', 'PUT', 'PATCH'].includes(method) || path.includes('*')) continue;
        for (const bad of ['a\u0000b', '\ud800']) {
          const url = path.replace(/:[a-z_]+/g, 'x');
          const response = await fetch(base + url, {
            method,
            headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
            body: JSON.stringify({ reviewer: bad, vendor_data: bad, nested: [{ id: bad }] }),
          });
          const body = (await response.json()) as { error?: { code?: string } };
          // Kiosk and console routes authenticate on arrival, before the body; every other route reads it and refuses it.
          const authenticatesFirst =
            url.startsWith('/v1/decisions') ||
            url.startsWith('/v1/kiosk/') ||
            (url.startsWith('/console/api/') && url !== '/console/api/login');
          const expected = authenticatesFirst
            ? { status: 401, code: 'UNAUTHORIZED' }
            : url === '/v1/devices/enrol'
              ? { status: 401, code: 'UNAUTHORIZED' }
              : { status: 400, code: 'INVALID_PAYLOAD' };
          expect({ method, url, status: response.status, code: body.error?.code }).toEqual({ method, url, ...expected });
          checked.push(`${method} ${url} body`);
        }
      }
      // The same through the signed kiosk door: a signed body with a NUL is refused with 400, nothing stored.
      const store = kiosk('a');
      const deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'door-1' }).enrol();
      const claim = await fetch(
        base + '/v1/kiosk/sessions/claim',
        signed(store, deviceId, 'POST', '/v1/kiosk/sessions/claim', { code: 'AB\u0000C' }),
      );
      expect(claim.status).toBe(400);
      expect((await claim.json()).error.code).toBe('INVALID_PAYLOAD');
      // The reproduction itself, and a reviewer name with a NUL.
      expect((await api('/v3/session/%00/decision')).status).toBe(400);
      const review = await api('/v1/review/doors-x', { method: 'POST', body: { decision: 'Approve', reviewer: 'Ann\u0000' } });
      expect(review.status).toBe(400);
      expect(checked.length).toBeGreaterThan(200);
      expect((await server.storage.counts()).decisions).toBe(0);
    });
  });
}

doorsContract('SQLite', sqliteBackend);
if (testDatabaseUrl) {
  doorsContract('PostgreSQL', freshSchema('liveness_doors'));
} else {
  console.warn('PostgreSQL door tests SKIPPED: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
  describe.skip('server doors on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
