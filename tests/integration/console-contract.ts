// The business console's server side, run against each storage backend (SQLite in console-sqlite.test.ts,
// PostgreSQL in console-postgres.test.ts): real HTTP, real argon2id, real cookies, real kiosk-signed decisions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { createServer, type LivenessServer, type ServerOptions } from '../../src/server';
import { ConsoleStore, LOGIN_RATE_LIMIT } from '../../src/server/console';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';

export type BackendFactory = () => Promise<{ options: Partial<ServerOptions>; cleanup(): Promise<void> }>;

const API_KEY = 'test-api-key';
const PASSWORDS = { admin: 'correct horse battery staple', reviewer: 'reviewer password 1', viewer: 'viewer password 12' };

/** A signed-in console client: keeps the session cookie and the CSRF token like the browser app does. */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async login(username: string, password: string): Promise<Response> {
    const response = await fetch(`${this.base}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (response.ok) {
      this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
      this.csrf = ((await response.clone().json()) as { csrf_token: string }).csrf_token;
    }
    return response;
  }

  request(method: string, path: string, body?: unknown, { csrf = this.csrf }: { csrf?: string | null } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    return fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
}

export function consoleContract(label: string, backend: BackendFactory) {
  describe(`business console on ${label}`, () => {
    let dir: string;
    let server: LivenessServer;
    let store: ConsoleStore;
    let base: string;
    let cleanup: () => Promise<void>;
    const kiosks: DecisionStore[] = [];

    const start = async (options: Partial<ServerOptions>) => {
      process.env.LIVENESS_CONSOLE_DIR = join(dir, 'console-build');
      server = await createServer({ ...options, apiKey: API_KEY, enrolTokens: ['tok-1'] });
      store = new ConsoleStore(server.storage.db);
      base = await server.listen({ port: 0 });
    };

    /** Real kiosk decisions, signed and synced through the API, one of each status. */
    const syncDecisions = async (sessions: Array<[string, number]>) => {
      const kiosk = openStore({ path: join(dir, `kiosk-${kiosks.length}.sqlite`) });
      kiosks.push(kiosk);
      sessions.forEach(([id, score], i) => kiosk.recordDecision(makeResult(id, score, 'active'), tinyJpeg(i + 1)));
      const outcome = await createSyncClient({ store: kiosk, serverUrl: base, enrolToken: 'tok-1' }).drainOnce();
      expect(outcome.accepted).toBe(sessions.length);
      return outcome.deviceId;
    };

    const signedIn = async (role: keyof typeof PASSWORDS) => {
      const client = new ConsoleClient(base);
      expect((await client.login(role, PASSWORDS[role])).status).toBe(200);
      return client;
    };

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-console-'));
      const made = await backend();
      cleanup = made.cleanup;
      await start(made.options);
      for (const role of ['admin', 'reviewer', 'viewer'] as const)
        await store.createUser(role, PASSWORDS[role], role, { type: 'cli', name: 'cli:test' });
    });

    afterEach(async () => {
      for (const kiosk of kiosks.splice(0)) kiosk.close();
      delete process.env.LIVENESS_CONSOLE_DIR;
      await server.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('signs in with the right password only; the cookie is HttpOnly, SameSite=Strict, scoped to /console, not Secure on plain http', async () => {
      const anonymous = new ConsoleClient(base);
      expect(await (await anonymous.request('GET', '/console/api/me')).json()).toEqual({ user: null, csrf_token: null });
      expect((await anonymous.request('GET', '/console/api/sessions')).status).toBe(401);
      const wrong = await anonymous.login('admin', 'not the password at all');
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'LOGIN_FAILED' } });
      expect((await anonymous.login('nobody', PASSWORDS.admin)).status).toBe(401);

      const response = await anonymous.login('admin', PASSWORDS.admin);
      expect(response.status).toBe(200);
      const setCookie = response.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^lk_console_session=[\w-]{40,};/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\/console/);
      expect(setCookie).not.toMatch(/Secure/i);
      const me = await anonymous.request('GET', '/console/api/me');
      expect(await me.json()).toMatchObject({ user: { username: 'admin', role: 'admin' }, csrf_token: anonymous.csrf });
      // The stored password is an argon2id PHC string, never the password.
      const row = await server.storage.db.get<{ password_hash: string }>(
        "SELECT password_hash FROM console_users WHERE username = 'admin'",
      );
      expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);

      const audit = await store.listAudit({ limit: 50, offset: 0 });
      const actions = audit.results.map((entry) => `${entry.action}:${entry.target}:${String(entry.detail.reason ?? '')}`);
      expect(actions).toContain('login.failure:admin:wrong_password');
      expect(actions).toContain('login.failure:nobody:unknown_user');
      expect(actions).toContain('login.success:admin:');

      expect((await anonymous.request('POST', '/console/api/logout')).status).toBe(200);
      expect(await (await anonymous.request('GET', '/console/api/me')).json()).toMatchObject({ user: null });
      expect((await anonymous.request('GET', '/console/api/sessions')).status).toBe(401);
    });

    it('refuses a state-changing request without the CSRF token, or with another session’s', async () => {
      await syncDecisions([['sess-review', 60]]);
      const reviewer = await signedIn('reviewer');
      const other = await signedIn('admin');
      const missing = await reviewer.request('POST', '/console/api/sessions/sess-review/review', { action: 'Approve' }, { csrf: null });
      expect(missing.status).toBe(403);
      expect(await missing.json()).toMatchObject({ error: { code: 'CSRF_TOKEN_INVALID' } });
      const foreign = await reviewer.request(
        'POST',
        '/console/api/sessions/sess-review/review',
        { action: 'Approve' },
        { csrf: other.csrf },
      );
      expect(foreign.status).toBe(403);
      const decision = await (await fetch(`${base}/v3/session/sess-review/decision/`, { headers: { 'x-api-key': API_KEY } })).json();
      expect(decision.status).toBe('In Review');
      const ok = await reviewer.request('POST', '/console/api/sessions/sess-review/review', {
        action: 'Approve',
        comment: 'Matches the ID at the counter',
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ status: 'Approved' });
    });

    it('enforces roles: a viewer cannot review, a reviewer cannot edit workflows or read the audit log, an admin can', async () => {
      await syncDecisions([
        ['sess-a', 60],
        ['sess-b', 55],
      ]);
      const viewer = await signedIn('viewer');
      const reviewer = await signedIn('reviewer');
      const admin = await signedIn('admin');
      expect((await viewer.request('GET', '/console/api/sessions')).status).toBe(200);
      const refused = await viewer.request('POST', '/console/api/sessions/sess-a/review', { action: 'Decline' });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      const workflow = {
        name: 'Branch default',
        liveness_mode: 'flash',
        liveness_threshold: 80,
        max_attempts: 2,
        challenges: [],
        checks: ['LIVENESS'],
        is_default: true,
      };
      expect((await reviewer.request('POST', '/console/api/workflows', workflow)).status).toBe(403);
      expect((await reviewer.request('GET', '/console/api/audit')).status).toBe(403);
      expect(
        (await reviewer.request('POST', '/console/api/sessions/sess-a/review', { action: 'Decline', comment: 'Photo of a photo' })).status,
      ).toBe(200);
      const created = await admin.request('POST', '/console/api/workflows', workflow);
      expect(created.status).toBe(201);
      const saved = await created.json();
      expect(saved).toMatchObject({ name: 'Branch default', liveness_mode: 'flash', version: 1, is_default: true });
      const edited = await admin.request('PUT', `/console/api/workflows/${saved.id}`, { ...workflow, liveness_threshold: 85 });
      expect(await edited.json()).toMatchObject({ liveness_threshold: 85, version: 2 });
      const bad = await admin.request('PUT', `/console/api/workflows/${saved.id}`, {
        ...workflow,
        liveness_mode: 'active',
        challenges: [],
      });
      expect(bad.status).toBe(400);
      const audit = await (await admin.request('GET', '/console/api/audit')).json();
      expect(audit.chain).toMatchObject({ ok: true });
      const update = audit.results.find((entry: { action: string }) => entry.action === 'workflow.update');
      expect(update).toMatchObject({ actor: 'admin', detail: { liveness_threshold: { from: 80, to: 85 } } });
      expect(audit.results.find((entry: { action: string }) => entry.action === 'session.review.decline')).toMatchObject({
        actor: 'reviewer',
        target: 'session:sess-a',
      });
    });

    it('settles the review queue: Approve and Decline with a comment (Resubmit only for teller sessions), visible in the API and audited', async () => {
      await syncDecisions([
        ['sess-1', 60],
        ['sess-2', 61],
        ['sess-3', 62],
        ['sess-ok', 90],
      ]);
      const reviewer = await signedIn('reviewer');
      const queue = await (await reviewer.request('GET', '/console/api/review-queue')).json();
      expect(queue.results.map((s: { session_id: string }) => s.session_id).sort()).toEqual(['sess-1', 'sess-2', 'sess-3']);
      for (const [id, action, status] of [
        ['sess-1', 'Approve', 'Approved'],
        ['sess-2', 'Decline', 'Declined'],
      ]) {
        const response = await reviewer.request('POST', `/console/api/sessions/${id}/review`, {
          action,
          comment: `${action} after checking`,
        });
        expect(await response.json()).toEqual({ status });
      }
      // Resubmit goes through the branch flow, which sends only teller-made sessions back: a walk-in is refused.
      const resubmit = await reviewer.request('POST', '/console/api/sessions/sess-3/review', { action: 'Resubmit', comment: 'again' });
      expect(resubmit.status).toBe(409);
      expect(await resubmit.json()).toMatchObject({ error: { code: 'WALK_IN_SESSION' } });
      expect(
        (await (await reviewer.request('GET', '/console/api/review-queue')).json()).results.map(
          (s: { session_id: string }) => s.session_id,
        ),
      ).toEqual(['sess-3']);
      const again = await reviewer.request('POST', '/console/api/sessions/sess-1/review', { action: 'Decline' });
      expect(again.status).toBe(409);
      const detail = await (await reviewer.request('GET', '/console/api/sessions/sess-1')).json();
      expect(detail.reviews).toEqual([
        expect.objectContaining({ decision: 'Approved', reviewer: 'reviewer', note: 'Approve after checking', new_status: 'Approved' }),
      ]);
      expect(detail.evidence.check).toEqual({
        record_hash_ok: true,
        signature_ok: true,
        chain_link_ok: true,
        image_hash_ok: true,
        verified: true,
      });
      expect(detail.result.challenge_sequence).toEqual(['head_left', 'smile']);
      const image = await reviewer.request('GET', '/console/api/sessions/sess-1/image');
      expect(image.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await image.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const decision = await (await fetch(`${base}/v3/session/sess-2/decision/`, { headers: { 'x-api-key': API_KEY } })).json();
      expect(decision).toMatchObject({
        status: 'Declined',
        reviews: [{ user: 'reviewer', decision: 'Declined', comment: 'Decline after checking' }],
      });
      const actions = (await store.listAudit({ limit: 50, offset: 0, actor: 'reviewer' })).results.map((entry) => entry.action);
      expect(actions).toEqual(expect.arrayContaining(['session.review.approve', 'session.review.decline', 'session.view_image']));
      expect(actions).not.toContain('session.review.resubmit');
    });

    it('keeps the audit log append-only: no update or delete in the storage API, and the database refuses them', async () => {
      await store.audit({ type: 'cli', name: 'cli:test' }, 'test.event', null, { n: 1 });
      const methods = Object.getOwnPropertyNames(ConsoleStore.prototype).filter((name) => /audit/i.test(name));
      expect(methods.sort()).toEqual(['appendAudit', 'audit', 'listAudit', 'verifyAuditChain']);
      const before = await store.listAudit({ limit: 100, offset: 0 });
      await expect(server.storage.db.run("UPDATE console_audit SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(server.storage.db.run('DELETE FROM console_audit')).rejects.toThrow(/append-only/);
      if (server.storage.db.dialect === 'postgres')
        await expect(server.storage.db.run('TRUNCATE console_audit')).rejects.toThrow(/append-only/);
      expect(await store.listAudit({ limit: 100, offset: 0 })).toEqual(before);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: true, entries: before.count });
      if (server.storage.db.dialect === 'sqlite') {
        // Someone with file access who drops the trigger still cannot edit unseen: the hash chain shows where.
        await server.storage.db.run('DROP TRIGGER console_audit_no_update');
        const first = before.results[before.results.length - 1];
        await server.storage.db.run("UPDATE console_audit SET actor = 'someone else' WHERE id = $1", [first.id]);
        expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBrokenId: first.id });
      }
    });

    it('issues per-user API keys shown once and stored hashed; a key resolves to its user until revoked, every use audited', async () => {
      const admin = await signedIn('admin');
      const created = await admin.request('POST', '/console/api/api-keys', { label: 'Teller system' });
      expect(created.status).toBe(201);
      const { id, key } = await created.json();
      expect(key).toMatch(/^lk_[\w-]{43}$/);
      const listed = await (await admin.request('GET', '/console/api/api-keys')).json();
      expect(JSON.stringify(listed)).not.toContain(key);
      const stored = await server.storage.db.all<{ key_hash: string }>('SELECT key_hash FROM console_api_keys');
      expect(JSON.stringify(stored)).not.toContain(key);
      const principal = await store.resolveApiKey(key);
      expect(principal).toMatchObject({ type: 'api_key', keyId: id, username: 'admin', role: 'admin' });
      expect(await store.resolveApiKey(`${key}x`)).toBeNull();
      expect(await store.resolveApiKey(API_KEY)).toBeNull();
      // The v3 routes' x-api-key check accepts it, and every use lands in the audit log.
      expect((await fetch(`${base}/v3/sessions/`, { headers: { 'x-api-key': key } })).status).toBe(200);
      expect((await fetch(`${base}/v3/sessions/`, { headers: { 'x-api-key': `${key}x` } })).status).toBe(401);
      const audit = await store.listAudit({ limit: 10, offset: 0, action: 'api_key.use' });
      expect(audit.results).toEqual([expect.objectContaining({ actor_type: 'api_key', actor: 'admin', target: `api_key:${id}` })]);
      expect(JSON.stringify(audit)).not.toContain(key);
      expect((await (await admin.request('GET', '/console/api/api-keys')).json()).results[0].last_used_at).toMatch(/^\d{4}-/);

      const viewer = await signedIn('viewer');
      expect((await viewer.request('POST', '/console/api/api-keys', { label: 'mine' })).status).toBe(403);
      expect((await viewer.request('DELETE', `/console/api/api-keys/${id}`)).status).toBe(404);
      expect((await admin.request('DELETE', `/console/api/api-keys/${id}`)).status).toBe(200);
      expect(await store.resolveApiKey(key)).toBeNull();
      expect((await fetch(`${base}/v3/sessions/`, { headers: { 'x-api-key': key } })).status).toBe(401);
      expect((await fetch(`${base}/v3/sessions/`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
    });

    it('exports sessions as CSV with formula-like cells neutralised', async () => {
      await syncDecisions([
        ['=HYPERLINK("http://evil.example","x")', 60],
        ['+SUM(A1)', 90],
        ['-2+3', 20],
        ['@cmd', 55],
        ['plain', 80],
      ]);
      const viewer = await signedIn('viewer');
      const response = await viewer.request('GET', '/console/api/sessions.csv');
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toMatch(/attachment/);
      const lines = (await response.text()).trim().split('\r\n');
      expect(lines).toHaveLength(6);
      const rows = lines.slice(1);
      for (const cell of ['"\'=HYPERLINK(""http://evil.example"",""x"")"', '"\'+SUM(A1)"', '"\'-2+3"', '"\'@cmd"', '"plain"']) {
        expect(rows.filter((line) => line.startsWith(`${cell},`))).toHaveLength(1);
      }
      expect(rows.every((line) => /^"'?[=+\-@p]/.test(line))).toBe(true);
      const filtered = (await (await viewer.request('GET', '/console/api/sessions.csv?status=In%20Review')).text()).trim().split('\r\n');
      expect(filtered).toHaveLength(3);
      const audit = await store.listAudit({ limit: 10, offset: 0, action: 'sessions.export' });
      expect(audit.results.map((entry) => entry.detail.rows)).toEqual([2, 5]);
    });

    it('lists sessions with filters and search, and kiosks with their last sync', async () => {
      const deviceId = await syncDecisions([
        ['walk-in-0001', 92],
        ['walk-in-0002', 60],
        ['teller-7731', 30],
      ]);
      const viewer = await signedIn('viewer');
      const search = await (await viewer.request('GET', '/console/api/sessions?q=walk-in')).json();
      expect(search.count).toBe(2);
      const declined = await (await viewer.request('GET', '/console/api/sessions?status=Declined')).json();
      expect(declined.results.map((s: { session_id: string }) => s.session_id)).toEqual(['teller-7731']);
      const bad = await viewer.request('GET', '/console/api/sessions?from=yesterday');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
      const kiosksBody = await (await viewer.request('GET', '/console/api/kiosks')).json();
      expect(kiosksBody.results).toEqual([
        expect.objectContaining({
          device_id: deviceId,
          decisions: 3,
          last_seq: 3,
          models: 'pad test@0 0000',
          pending: null,
          version: null,
          workflow: null,
        }),
      ]);
      expect(kiosksBody.results[0].last_sync_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('kiosks screen: pending count, app version and applied workflow as the kiosk reports them (device-signed) at sync', async () => {
      const deviceId = await syncDecisions([['report-1', 92]]);
      const kiosk = kiosks.at(-1)!;
      const created = await fetch(`${base}/v3/workflows/`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({
          workflow_label: 'Counter',
          is_default: true,
          features: [{ feature: 'LIVENESS', config: { face_liveness_method: 'FLASHING', liveness_threshold: 80 } }],
        }),
      });
      const workflow = (await created.json()) as { uuid: string };
      const client = createSyncClient({ store: kiosk, serverUrl: base });
      // A kiosk with 4 records still waiting reports them with its version and the workflow it applied.
      await client.reportStatus({ pending: 4, app_version: '0.1.0', workflow_id: workflow.uuid, workflow_version: 1 });
      const viewer = await signedIn('viewer');
      const [row] = (await (await viewer.request('GET', '/console/api/kiosks')).json()).results;
      expect(row).toMatchObject({
        device_id: deviceId,
        pending: 4,
        version: '0.1.0',
        workflow: { id: workflow.uuid, name: 'Counter', version: 1 },
        delivered: { id: workflow.uuid, version: 1 },
      });
      // The report is covered by the device signature: an unsigned one, or one whose body was changed, is refused.
      const unsigned = await fetch(`${base}/v1/kiosk/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-device-id': deviceId },
        body: JSON.stringify({ pending: 0, app_version: 'x', workflow_id: null, workflow_version: null }),
      });
      expect(unsigned.status).toBe(401);
      const tampering = createSyncClient({
        store: kiosk,
        serverUrl: base,
        fetch: (input, init) =>
          fetch(input, { ...init, body: typeof init?.body === 'string' ? init.body.replace('"pending":0', '"pending":9') : init?.body }),
      });
      await expect(tampering.reportStatus({ pending: 0, app_version: '0.1.0', workflow_id: null, workflow_version: null })).rejects.toThrow(
        /UNAUTHORIZED/,
      );
      expect((await (await viewer.request('GET', '/console/api/kiosks')).json()).results[0]).toMatchObject({ pending: 4 });
    });

    it("workflows and webhook destinations are the API's own: the console and /v3/ read and write the same rows", async () => {
      const admin = await signedIn('admin');
      const api = (method: string, path: string, body?: unknown) =>
        fetch(`${base}${path}`, {
          method,
          headers: { 'x-api-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const viaApi = await (
        await api('POST', '/v3/workflows/', {
          workflow_label: 'From the API',
          features: [{ feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE', liveness_threshold: 70 } }],
        })
      ).json();
      const listed = (await (await admin.request('GET', '/console/api/workflows')).json()).results;
      expect(listed).toEqual([
        expect.objectContaining({
          id: viaApi.uuid,
          name: 'From the API',
          liveness_mode: 'passive',
          liveness_threshold: 70,
          version: 1,
          checks: ['LIVENESS'],
        }),
      ]);
      const edited = await admin.request('PUT', `/console/api/workflows/${viaApi.uuid}`, {
        name: 'From the API',
        liveness_mode: 'flash',
        liveness_threshold: 82,
        max_attempts: 2,
        challenges: [],
        checks: ['LIVENESS', 'FACE_MATCH'],
        is_default: false,
      });
      expect(edited.status).toBe(200);
      const fromApi = await (await api('GET', `/v3/workflows/${viaApi.uuid}/`)).json();
      expect(fromApi).toMatchObject({
        version: 2,
        settings: {
          liveness_mode: 'flash',
          liveness_threshold: 82,
          face_liveness_max_attempts: 2,
          face_match: { enabled: true, threshold: 30 },
        },
      });
      const made = await admin.request('POST', '/console/api/webhooks', {
        label: 'Core banking',
        url: 'https://bank.example/hooks/liveness',
      });
      expect(made.status).toBe(201);
      const destination = await made.json();
      expect(destination.secret).toMatch(/^[0-9a-f]{64}$/);
      const apiList = await (await api('GET', '/v3/webhook/destinations/')).json();
      const apiRows = (Array.isArray(apiList) ? apiList : apiList.results) as Array<{
        uuid: string;
        label: string;
        secret_shared_key: string;
      }>;
      expect(apiRows).toEqual([
        expect.objectContaining({ uuid: destination.id, label: 'Core banking', secret_shared_key: destination.secret }),
      ]);
      expect((await admin.request('PATCH', `/console/api/webhooks/${destination.id}`, { enabled: false })).status).toBe(200);
      expect(await (await api('GET', `/v3/webhook/destinations/${destination.id}/`)).json()).toMatchObject({ enabled: false });
      expect((await admin.request('DELETE', `/console/api/webhooks/${destination.id}`)).status).toBe(200);
      expect((await api('GET', `/v3/webhook/destinations/${destination.id}/`)).status).toBe(404);
      const tables = await server.storage.db.all<{ name: string }>(
        server.storage.db.dialect === 'postgres'
          ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'console_%'"
          : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'console_%'",
      );
      expect(tables.map((t) => t.name).sort()).toEqual(['console_api_keys', 'console_audit', 'console_login_sessions', 'console_users']);
    });

    it('locks an account after repeated wrong passwords, and rate-limits sign-ins per address', async () => {
      const client = new ConsoleClient(base);
      for (let i = 0; i < 4; i++) expect((await client.login('viewer', `wrong password ${i}`)).status).toBe(401);
      const locked = await client.login('viewer', 'wrong password 5');
      expect(locked.status).toBe(429);
      expect(await locked.json()).toMatchObject({ error: { code: 'ACCOUNT_LOCKED' } });
      expect((await client.login('viewer', PASSWORDS.viewer)).status).toBe(429);

      // Per address: the 6 sign-ins above count; unknown names fill the window, then even the right password waits.
      const limited = new ConsoleClient(base);
      for (let i = 6; i < LOGIN_RATE_LIMIT.max; i++) expect((await limited.login(`nobody-${i}`, 'whatever password')).status).toBe(401);
      const third = await limited.login('admin', PASSWORDS.admin);
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    });

    it('serves /console with a strict CSP and no caching', async () => {
      const build = join(dir, 'console-build');
      rmSync(build, { recursive: true, force: true });
      const missing = await fetch(`${base}/console/`);
      expect(missing.status).toBe(503);
      mkdirSync(join(build, 'assets'), { recursive: true });
      writeFileSync(
        join(build, 'index.html'),
        '<!doctype html><title>console</title><script type="module" src="/console/assets/app.js"></script>',
      );
      writeFileSync(join(build, 'assets', 'app.js'), 'export {};');
      const page = await fetch(`${base}/console/`);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect((await fetch(`${base}/console/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${base}/console/assets/..%2f..%2fpackage.json`)).status).toBe(404);
      expect((await fetch(`${base}/console`, { redirect: 'manual' })).status).toBe(302);
    });
  });
}
