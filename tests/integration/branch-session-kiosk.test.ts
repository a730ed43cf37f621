// Issue 10 item 2 (branch flow), kiosk half: a real `liveness server` on SQLite, a real kiosk service (engine, core,
// SQLite store) syncing to it through a TCP relay the test can cut (the network going away), and the session a
// teller created taken at the kiosk by its typed code (online) or its QR ticket (offline, synced later). Plus the
// kiosk half of issue 11 item 3: the session's reference photo matched 1:1 on the kiosk, recorded in the signed record.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { hashPin } from '../../src/node/kiosk/pin';
import { createServer, type LivenessServer } from '../../src/server/app';
import { BRANCH_REFUSALS, CONSENT_VERSION, LANGUAGES, type BranchClaim, type SessionOutcome } from '../../src/shared/ipc-contract';
import type { EvidenceRecord } from '../../src/node/sync/evidence';
import { translator, type StringKey } from '../../src/renderer/i18n';

const FIXTURES = process.env.LIVENESS_FIXTURES ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const EXAMPLES = join(FIXTURES, 'ageitgey__face_recognition/examples');
const KEY = 'branch-kiosk-key';
const context = { clientId: 'branch-kiosk-test' };
const MINUTE = 60_000;

/** A relay between the kiosk and the server that the test can take offline (connections refused while it is). */
async function startRelay(targetPort: number): Promise<{ url: string; online: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { online: true };
  const relay: TcpServer = createTcpServer((client) => {
    if (!state.online) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  const port = (relay.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get online() {
      return state.online;
    },
    set online(value: boolean) {
      state.online = value;
      // Going offline also drops the kiosk's kept-alive connections.
      if (!value) for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => done());
      }),
  };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return read();
}

describe("a teller's session taken at a kiosk (real server, real kiosk service, SQLite)", () => {
  let dir: string;
  let server: LivenessServer;
  let base: string;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let kiosk: ComposedKiosk;
  let live: Uint8Array;
  /** The kiosk's clock: a test moves it to expire a ticket (the server keeps real time: signed requests carry it). */
  let clockOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-branch-kiosk-'));
    server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: KEY, enrolTokens: ['t-branch'] });
    base = await server.listen({ port: 0 });
    relay = await startRelay(Number(new URL(base).port));
    const key = await server.storage.db.get<{ public_key_pem: string }>('SELECT public_key_pem FROM server_keys');
    kiosk = await composeKiosk(
      { dbPath: join(dir, 'kiosk.sqlite') },
      { now, sync: { serverUrl: relay.url, enrolToken: 't-branch', idleMs: 100, workflowRefreshMs: 60 * MINUTE } },
    );
    kiosk.provision({ staff_pin_hash: await hashPin('73915024'), pin_must_change: false, workflow_public_key: key!.public_key_pem });
    live = new Uint8Array(readFileSync(join(EXAMPLES, 'obama.jpg')));
    // The kiosk enrols at its first sync.
    await waitFor(
      () => server.storage.db.all('SELECT id FROM devices'),
      (rows) => rows.length === 1,
    );
  });

  afterAll(async () => {
    await kiosk?.close();
    await relay?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
  };

  const workflow = async (features: unknown[]) =>
    (await api('POST', '/v3/workflows/', { workflow_label: 'Counter', features })).body.uuid as string;
  const PASSIVE_ONE_ATTEMPT = [
    { feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE', liveness_threshold: 60, face_liveness_max_attempts: 1 } },
  ];

  const newSession = async (workflowId: string, extra: Record<string, unknown> = {}) => {
    const created = await api('POST', '/v3/session/', { workflow_id: workflowId, vendor_data: 'customer-4417', ...extra });
    expect(created.status).toBe(201);
    return created.body as { session_id: string; short_code: string; qr_payload: string; attempt_id: string };
  };

  const claim = async (request: { code: string } | { ticket: string }): Promise<BranchClaim> => {
    const answer = await kiosk.service.handle('branch.claim', request, context);
    expect(answer.ok).toBe(true);
    return (answer as { ok: true; value: BranchClaim }).value;
  };

  /** The person consents and the kiosk sees them until the session decides. */
  const runSession = async (sessionId: string): Promise<SessionOutcome> => {
    expect(
      await kiosk.service.handle('session.consent', { sessionId, accepted: true, consentVersion: CONSENT_VERSION }, context),
    ).toMatchObject({ ok: true });
    for (let frame = 0; frame < 60; frame++) {
      const update = await kiosk.service.handle('session.frame', { sessionId, timestampMs: frame * 100, jpeg: live }, context);
      if (!update.ok || (update.value as { done: boolean }).done) break;
    }
    const finished = await kiosk.service.handle('session.finish', { sessionId }, context);
    expect(finished.ok).toBe(true);
    return (finished as { ok: true; value: SessionOutcome }).value;
  };

  const kioskRecord = async (sessionId: string) => {
    const row = await server.storage.getDecision(sessionId);
    return row ? (JSON.parse(row.record_json) as EvidenceRecord) : null;
  };

  it('online: the typed code takes the session, the kiosk runs its workflow, and the decision lands on that session', async () => {
    const session = await newSession(await workflow(PASSIVE_ONE_ATTEMPT));
    // Typed in lower case with spaces, as people do.
    const taken = await claim({ code: session.short_code.toLowerCase().replace('-', ' ') });
    expect(taken).toMatchObject({
      taken: true,
      offline: false,
      faceMatch: false,
      plan: { sessionId: session.attempt_id, mode: 'passive', maxAttempts: 1 },
    });
    expect((await api('GET', `/v3/session/${session.session_id}/decision/`)).body).toMatchObject({ status: 'In Progress' });

    const outcome = await runSession(session.attempt_id);
    expect(outcome.result).toMatchObject({
      session_id: session.attempt_id,
      liveness_mode: 'passive',
      liveness_threshold: 60,
      max_attempts: 1,
    });
    const decided = await waitFor(
      () => api('GET', `/v3/session/${session.session_id}/decision/`),
      (answer) => answer.body.status !== 'In Progress',
    );
    expect(decided.body).toMatchObject({ session_id: session.session_id, status: outcome.result.status, vendor_data: 'customer-4417' });
    expect((await kioskRecord(session.session_id))?.result.session_id).toBe(session.attempt_id);
    // A code is good for one attempt: once its decision has landed, taking it again is refused in words.
    expect(await claim({ code: session.short_code })).toEqual({ taken: false, reason: 'session_decided' });
  });

  it('a resubmitted session gets a new code the kiosk takes for a new attempt; the old code is superseded', async () => {
    const session = await newSession(await workflow(PASSIVE_ONE_ATTEMPT));
    expect(await claim({ code: session.short_code })).toMatchObject({ taken: true });
    await runSession(session.attempt_id);
    await waitFor(
      () => api('GET', `/v3/session/${session.session_id}/decision/`),
      (answer) => answer.body.status !== 'In Progress',
    );
    const resubmitted = await api('PATCH', `/v3/session/${session.session_id}/update-status/`, {
      new_status: 'Resubmitted',
      comment: 'Glasses on; try again',
    });
    expect(resubmitted.body).toMatchObject({ status: 'Resubmitted', attempt_id: `${session.session_id}~2` });
    expect(await claim({ code: session.short_code })).toEqual({ taken: false, reason: 'code_superseded' });
    const again = await claim({ code: String(resubmitted.body.short_code) });
    expect(again).toMatchObject({ taken: true, plan: { sessionId: `${session.session_id}~2` } });
    const second = await runSession(`${session.session_id}~2`);
    const decided = await waitFor(
      () => api('GET', `/v3/session/${session.session_id}/decision/`),
      (answer) => answer.body.status !== 'Resubmitted' && answer.body.status !== 'In Progress',
    );
    expect(decided.body.status).toBe(second.result.status);
    expect(await server.storage.decisionsOf(session.session_id)).toHaveLength(2);
  });

  it('bad, unknown and expired codes are refused with a reason every locale says in a sentence', async () => {
    expect(await claim({ code: 'K7Q' })).toEqual({ taken: false, reason: 'invalid_code' });
    expect(await claim({ code: 'ZZZZ-ZZZZ' })).toEqual({ taken: false, reason: 'code_not_found' });
    const session = await newSession(await workflow(PASSIVE_ONE_ATTEMPT));
    clockOffsetMs = 31 * MINUTE;
    try {
      expect(await claim({ ticket: session.qr_payload })).toEqual({ taken: false, reason: 'ticket_expired' });
    } finally {
      clockOffsetMs = 0;
    }
    // The person walked to the kiosk after the code's 30 minutes.
    await server.storage.db.run('UPDATE session_attempts SET expires_at = $1 WHERE attempt_id = $2', [Date.now() - 1, session.attempt_id]);
    expect(await claim({ code: session.short_code })).toEqual({ taken: false, reason: 'code_expired' });
    // A ticket whose payload was edited (here: its expiry pushed out) no longer verifies.
    const [prefix, payload, signature] = session.qr_payload.split('.');
    const edited = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    edited.settings = { ...(edited.settings as object), liveness_threshold: 0 };
    expect(await claim({ ticket: `${prefix}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}` })).toEqual({
      taken: false,
      reason: 'ticket_invalid',
    });
    for (const reason of BRANCH_REFUSALS) {
      for (const language of LANGUAGES) {
        const sentence = translator(language)(`refusal_${reason}` as StringKey);
        expect(sentence, `${language} refusal_${reason}`).toMatch(/[.。!]$/u);
        if (language !== 'en') expect(sentence).not.toBe(translator('en')(`refusal_${reason}` as StringKey));
      }
    }
  });

  it('offline: a typed code needs the network (said so), the QR ticket takes the session, and its decision syncs onto it when back online', async () => {
    const session = await newSession(await workflow(PASSIVE_ONE_ATTEMPT));
    relay.online = false;
    try {
      expect(await claim({ code: session.short_code })).toEqual({ taken: false, reason: 'needs_network' });
      expect(translator('fr')('refusal_needs_network')).toMatch(/hors ligne/);
      const taken = await claim({ ticket: session.qr_payload });
      expect(taken).toMatchObject({ taken: true, offline: true, plan: { sessionId: session.attempt_id, mode: 'passive', maxAttempts: 1 } });
      const outcome = await runSession(session.attempt_id);
      expect(outcome.result.session_id).toBe(session.attempt_id);
      // Nothing reached the server while the kiosk was offline.
      expect((await api('GET', `/v3/session/${session.session_id}/decision/`)).body).toMatchObject({ status: 'Not Started' });
      expect(await claim({ ticket: session.qr_payload })).toEqual({ taken: false, reason: 'code_used' });
      relay.online = true;
      const decided = await waitFor(
        () => api('GET', `/v3/session/${session.session_id}/decision/`),
        (answer) => answer.body.status !== 'Not Started',
      );
      expect(decided.body).toMatchObject({ session_id: session.session_id, status: outcome.result.status });
      expect((await kioskRecord(session.session_id))?.result.session_id).toBe(session.attempt_id);
    } finally {
      relay.online = true;
    }
  });

  describe("1:1 face match with the session's reference photo", () => {
    const FACE_MATCH = [...PASSIVE_ONE_ATTEMPT, { feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 30 } }];
    const portrait = (file: string) => readFileSync(join(EXAMPLES, file)).toString('base64');

    it('the same person (another photo) matches: the score and status are in the signed record', async () => {
      const session = await newSession(await workflow(FACE_MATCH), { portrait_image: portrait('obama2.jpg') });
      expect(await claim({ code: session.short_code })).toMatchObject({ taken: true, faceMatch: true });
      const outcome = await runSession(session.attempt_id);
      expect(outcome.result.score_details).toMatchObject({ face_match_status: 'Approved', face_match_threshold: 30 });
      expect(['match', 'possible']).toContain(outcome.result.score_details?.face_match_band);
      expect(Number(outcome.result.score_details?.face_match_score)).toBeGreaterThan(30);
      await waitFor(
        () => api('GET', `/v3/session/${session.session_id}/decision/`),
        (answer) => answer.body.status !== 'In Progress',
      );
      expect((await kioskRecord(session.session_id))?.result.score_details).toMatchObject({
        face_match_status: 'Approved',
        face_match_score: outcome.result.score_details?.face_match_score,
      });
    });

    it('another person does not match: the session is declined, with the score recorded', async () => {
      const session = await newSession(await workflow(FACE_MATCH), { portrait_image: portrait('biden.jpg') });
      expect(await claim({ code: session.short_code })).toMatchObject({ taken: true, faceMatch: true });
      const outcome = await runSession(session.attempt_id);
      expect(outcome.result).toMatchObject({
        status: 'Declined',
        score_details: { face_match_status: 'Declined', face_match_band: 'none' },
      });
      expect(Number(outcome.result.score_details?.face_match_score)).toBeLessThanOrEqual(30);
      const decided = await waitFor(
        () => api('GET', `/v3/session/${session.session_id}/decision/`),
        (answer) => answer.body.status !== 'In Progress',
      );
      expect(decided.body.status).toBe('Declined');
    });

    it('a face-match workflow without a reference photo is refused at session creation', async () => {
      const refused = await api('POST', '/v3/session/', { workflow_id: await workflow(FACE_MATCH) });
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'PORTRAIT_REQUIRED' } } });
    });
  });
});
