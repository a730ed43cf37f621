// The branch flow's edges on a real server (SQLite): a kiosk that takes a session's QR token offline and syncs
// later, a second kiosk replaying the same token, an expired code; and a server database from before sessions
// existed, migrated with nothing lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { signedRequestHeaders } from '../../src/node/sync/evidence';
import { createServer, type LivenessServer } from '../../src/server';
import { CORE_MIGRATIONS } from '../../src/server/core-schema';
import { openSqlite } from '../../src/server/sql';
import { SHORT_CODE_TTL_MS } from '../../src/server/short-code';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';

const KEY = 'branch-key';
const api = (base: string, path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': KEY, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

function claim(store: DecisionStore, base: string, deviceId: string, code: string, at: number) {
  const path = '/v1/kiosk/sessions/claim';
  const text = JSON.stringify({ code });
  return fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedRequestHeaders((m) => store.identity.sign(m), { method: 'POST', path, body: text, deviceId, timestampMs: at }),
    },
    body: text,
  });
}

describe('branch sessions on a real server', () => {
  let dir: string;
  let server: LivenessServer | null = null;
  let clock = Date.now();
  const stores: DecisionStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-branch-'));
    clock = Date.now();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await server?.close();
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(db = join(dir, 'server.sqlite')) {
    server = await createServer({ db, apiKey: KEY, enrolTokens: ['t1', 't2'], now: () => clock });
    return server.listen({ port: 0 });
  }

  async function newSession(base: string) {
    const workflow = await (
      await api(base, '/v3/workflows/', {
        method: 'POST',
        body: { features: [{ feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE' } }] },
      })
    ).json();
    return (await api(base, '/v3/session/', { method: 'POST', body: { workflow_id: workflow.uuid, vendor_data: 'c-1' } })).json();
  }

  it('an offline kiosk takes the QR token without claiming, its record lands on the session later; a second kiosk replaying the token is refused', async () => {
    const base = await start();
    const session = await newSession(base);
    const token = JSON.parse(Buffer.from(session.qr_payload.split('.')[1], 'base64url').toString('utf8'));
    const kioskA = openStore({ path: join(dir, 'a.sqlite') });
    const kioskB = openStore({ path: join(dir, 'b.sqlite') });
    stores.push(kioskA, kioskB);
    // Both decide offline under the token's attempt id; A syncs first.
    kioskA.recordDecision(makeResult(token.attempt_id, 90), tinyJpeg(1));
    kioskB.recordDecision(makeResult(token.attempt_id, 20), tinyJpeg(2));
    expect(await createSyncClient({ store: kioskA, serverUrl: base, enrolToken: 't1' }).drainOnce()).toMatchObject({ accepted: 1 });
    const decided = await (await api(base, `/v3/session/${session.session_id}/decision/`)).json();
    expect(decided).toMatchObject({ status: 'Approved', vendor_data: 'c-1', liveness_checks: [{ score: 90 }] });
    expect(await createSyncClient({ store: kioskB, serverUrl: base, enrolToken: 't2' }).drainOnce()).toMatchObject({
      accepted: 0,
      rejected: 1,
    });
    expect((await (await api(base, '/v1/audit')).json()).results.map((e: { code: string }) => e.code)).toContain('SESSION_CONFLICT');
    expect((await (await api(base, `/v3/session/${session.session_id}/decision/`)).json()).status).toBe('Approved');
  });

  it('a code past its expiry is refused with a code the kiosk can show', async () => {
    const base = await start();
    const session = await newSession(base);
    const kiosk = openStore({ path: join(dir, 'k.sqlite') });
    stores.push(kiosk);
    const deviceId = await createSyncClient({ store: kiosk, serverUrl: base, enrolToken: 't1' }).enrol();
    clock += SHORT_CODE_TTL_MS + 1000;
    const late = await claim(kiosk, base, deviceId, session.short_code, clock);
    expect(late.status).toBe(410);
    expect((await late.json()).error).toMatchObject({ code: 'CODE_EXPIRED', message: expect.stringMatching(/teller/) });
    const typo = await claim(kiosk, base, deviceId, 'K7Q0-3XPA', clock);
    expect((await typo.json()).error.code).toBe('INVALID_CODE');
    expect((await (await api(base, `/v3/session/${session.session_id}/decision/`)).json()).status).toBe('Not Started');
  });

  it('migrates a server database made before sessions existed: decisions, images and reviews all still served', async () => {
    const file = join(dir, 'old.sqlite');
    // The v1 schema as it was released, recorded the way it was recorded then.
    const old = openSqlite(file);
    await old.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const statement of CORE_MIGRATIONS[0].statements({ id: 'INTEGER PRIMARY KEY AUTOINCREMENT', blob: 'BLOB', bigint: 'INTEGER' }))
      await old.run(statement);
    await old.run("INSERT INTO schema_migrations VALUES (1, 'v1', '2025-01-01T00:00:00Z')");
    await old.close();
    let base = await start(file);
    const kiosk = openStore({ path: join(dir, 'k.sqlite') });
    stores.push(kiosk);
    kiosk.recordDecision(makeResult('old-1', 60), tinyJpeg(3));
    await createSyncClient({ store: kiosk, serverUrl: base, enrolToken: 't1' }).drainOnce();
    // Rewind to a v1 database holding that decision and a review, as an old server left it.
    await server!.close();
    const db = openSqlite(file);
    await db.run("DELETE FROM server_migrations WHERE plugin = 'core' AND version = 2");
    await db.run('DROP TABLE sessions');
    await db.run('DROP TABLE session_attempts');
    await db.run('DROP TABLE reviews');
    await db.run(
      'CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES decisions (session_id), decision TEXT NOT NULL, previous_status TEXT NOT NULL, new_status TEXT NOT NULL, reviewer TEXT NOT NULL, note TEXT, reviewed_at TEXT NOT NULL)',
    );
    await db.run(
      "INSERT INTO reviews (session_id, decision, previous_status, new_status, reviewer, note, reviewed_at) VALUES ('old-1', 'Approve', 'In Review', 'Approved', 'alice', 'fine', '2025-01-02T00:00:00Z')",
    );
    await db.run("UPDATE decisions SET status = 'Approved'");
    for (const table of ['workflows', 'webhook_destinations', 'server_keys', 'erased_records']) await db.run(`DROP TABLE ${table}`);
    await db.run('DROP INDEX decisions_session_ref');
    await db.run('ALTER TABLE decisions DROP COLUMN session_ref');
    await db.run('ALTER TABLE webhook_deliveries DROP COLUMN destination_id');
    await db.run('ALTER TABLE devices DROP COLUMN workflow_id');
    await db.close();
    server = null;

    base = await start(file);
    const decision = await (await api(base, '/v3/session/old-1/decision/')).json();
    expect(decision).toMatchObject({
      session_id: 'old-1',
      status: 'Approved',
      reviews: [{ user: 'alice', comment: 'fine', new_status: 'Approved' }],
      liveness_checks: [{ score: 60 }],
    });
    expect((await api(base, '/v3/session/old-1/reference-image')).status).toBe(200);
    expect((await (await api(base, '/v3/sessions/')).json()).count).toBe(1);
  });
});
