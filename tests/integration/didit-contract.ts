// Didit's own published client (@didit-protocol/mcp-server's tool functions, loaded from its dist) driving a real
// `liveness server` over HTTP: every call the issue lists, each answer checked against the documented shape. Run
// against SQLite (didit-sqlite.test.ts) and PostgreSQL (didit-postgres.test.ts).
import { execFileSync } from 'node:child_process';
import { verify as verifySignature, createPublicKey } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { canonicalJson, signedRequestHeaders } from '../../src/node/sync/evidence';
import { createServer, signWebhook, type LivenessServer, type ServerOptions } from '../../src/server';
import { signedWorkflowSchema } from '../../src/shared/workflow';
import type { LivenessResult } from '../../src/shared/result';
import { makeResult, repoRoot } from '../../src/testkit/fault-support';
import { fixturesDir } from '../../src/testkit/synth/subject';
import { asyncHandler } from '../../src/testkit/http';

const API_KEY = 'didit-compat-key';
const fixtures = fixturesDir(repoRoot);
const photo = join(fixtures, 'serengil__deepface/tests/unit/dataset/img10.jpg');

type Tools = {
  sessions: typeof import('@didit-protocol/mcp-server/dist/tools/sessions.js');
  settings: typeof import('@didit-protocol/mcp-server/dist/tools/settings.js');
  webhooks: typeof import('@didit-protocol/mcp-server/dist/tools/webhooks.js');
  standalone: typeof import('@didit-protocol/mcp-server/dist/tools/standalone.js');
};

/** The client's tool modules, loaded fresh so they read DIDIT_API_BASE_URL / DIDIT_API_KEY for this server. */
function loadDiditClient(baseUrl: string): Tools {
  process.env.DIDIT_API_BASE_URL = `${baseUrl}/v3`;
  process.env.DIDIT_API_KEY = API_KEY;
  const require = createRequire(import.meta.url);
  const dist = resolve(require.resolve('@didit-protocol/mcp-server/package.json'), '..', 'dist');
  for (const key of Object.keys(require.cache)) if (key.startsWith(dist)) delete require.cache[key];
  const load = <K extends keyof Tools>(name: K) => require(join(dist, 'tools', `${name}.js`)) as Tools[K];
  return { sessions: load('sessions'), settings: load('settings'), webhooks: load('webhooks'), standalone: load('standalone') };
}

async function realJpeg(r: number, g: number, b: number): Promise<Buffer> {
  return sharp({ create: { width: 48, height: 48, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
}

function signedFetch(store: DecisionStore, base: string, deviceId: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...signedRequestHeaders((m) => store.identity.sign(m), { method, path, body: text, deviceId }),
    },
    body: body === undefined ? undefined : text,
  });
}

/** A check that ran action + flash, with its challenges and flash colours, as the evidence PDF must show them. */
function actionFlashResult(sessionId: string, score: number): LivenessResult {
  return {
    ...makeResult(sessionId, score, 'active'),
    liveness_mode: 'action_flash',
    challenge_sequence: ['head_right', 'smile'],
    challenges_completed: ['head_right', 'smile'],
    flash_sequence: {
      seed: 'seed-77',
      steps: [
        { rgb: [255, 200, 0], durationMs: 350 },
        { rgb: [0, 120, 255], durationMs: 350 },
        { rgb: [40, 255, 90], durationMs: 350 },
      ],
    },
    flash_score: 71,
    planar_score: 88,
  };
}

export type DiditBackend = () => Promise<{ options: Partial<ServerOptions>; cleanup(): Promise<void> }>;

export function diditContract(label: string, backend: DiditBackend) {
  describe(`Didit's client against liveness server on ${label}`, () => {
    let dir: string;
    let server: LivenessServer;
    let base: string;
    let cleanup: () => Promise<void>;
    let client: ReturnType<typeof loadDiditClient>;
    const hookEvents: Array<{ body: string; signature: string }> = [];
    const hook = createHttpServer(
      asyncHandler(async (req: IncomingMessage, res) => {
        let body = '';
        for await (const chunk of req) body += chunk;
        hookEvents.push({ body, signature: String(req.headers['x-signature']) });
        res.writeHead(200).end();
      }),
    );

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-didit-'));
      const made = await backend();
      cleanup = made.cleanup;
      server = await createServer({ ...made.options, apiKey: API_KEY, enrolTokens: ['kiosk-token'], webhookPollMs: 20 });
      base = await server.listen({ port: 0 });
      client = loadDiditClient(base);
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    });

    afterAll(async () => {
      await server?.close();
      await new Promise<void>((r) => hook.close(() => r()));
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('passive-liveness: the documented { request_id, liveness: {…} } body, and coded 400s for a missing image, a wrong type or more than 5 MB', async () => {
      expect(existsSync(photo), `fixture ${photo} is needed`).toBe(true);
      const body = await client.standalone.passiveLiveness(photo, { vendor_data: 'user-123', face_liveness_score_decline_threshold: '75' });
      expect(body).toMatchObject({
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        vendor_data: 'user-123',
        created_at: expect.any(String),
      });
      expect(body.liveness).toMatchObject({
        status: expect.stringMatching(/^(Approved|In Review|Declined)$/),
        method: 'PASSIVE',
        score: expect.any(Number),
        face_quality: expect.any(Number),
        face_luminance: expect.any(Number),
      });
      expect(body.liveness.user_image.entities[0]).toMatchObject({ bbox: expect.any(Array), confidence: expect.any(Number) });
      expect(Array.isArray(body.liveness.warnings)).toBe(true);
      const pdf = join(dir, 'statement.pdf');
      writeFileSync(pdf, '%PDF-1.4 not a face');
      await expect(client.standalone.passiveLiveness(pdf)).rejects.toThrow(/Didit API 400 .*UNSUPPORTED_TYPE/);
      const big = join(dir, 'big.jpg');
      writeFileSync(big, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024 + 10)]));
      await expect(client.standalone.passiveLiveness(big)).rejects.toThrow(/Didit API 400 .*FILE_TOO_LARGE/);
      await expect(client.standalone.passiveLiveness(photo, { rotate_image: 'sometimes' })).rejects.toThrow(
        /Didit API 400 .*INVALID_ARGUMENT.*rotate_image/,
      );
      const empty = await fetch(`${base}/v3/passive-liveness/`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY },
        body: new FormData(),
      });
      expect(empty.status).toBe(400);
      expect((await empty.json()).error.code).toMatch(/INVALID_PAYLOAD|UNSUPPORTED_TYPE/);
    });

    it('workflows and webhook destinations: create, list, get, update, delete; unsupported features refused with a code', async () => {
      const created = await client.settings.createWorkflow({
        workflow_label: 'Branch KYC',
        is_default: true,
        features: [
          { feature: 'LIVENESS', config: { face_liveness_method: 'FLASHING', liveness_threshold: 80 } },
          { feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 60 } },
        ],
      });
      expect(created).toMatchObject({
        uuid: expect.any(String),
        workflow_label: 'Branch KYC',
        is_default: true,
        status: 'published',
        version: 1,
      });
      expect(created.settings).toMatchObject({
        liveness_mode: 'flash',
        liveness_threshold: 80,
        face_liveness_max_attempts: 3,
        face_match: { enabled: true, threshold: 60 },
      });
      expect(created.features[0]).toEqual({ feature: 'LIVENESS', config: expect.objectContaining({ face_liveness_method: 'FLASHING' }) });
      await expect(client.settings.createWorkflow({ features: [{ feature: 'OCR' }] })).rejects.toThrow(
        /Didit API 400 .*INVALID_ARGUMENT.*OCR/,
      );
      await expect(client.settings.createWorkflow({ features: [{ feature: 'FACE_MATCH' }] })).rejects.toThrow(
        /Didit API 400 .*face_match_score_decline_threshold/,
      );
      const spare = await client.settings.createWorkflow({ workflow_label: 'Spare', features: [{ feature: 'LIVENESS' }] });
      expect((await client.settings.listWorkflows()).results.map((w: { uuid: string }) => w.uuid).sort()).toEqual(
        [created.uuid, spare.uuid].sort(),
      );
      expect(await client.settings.getWorkflow(created.uuid)).toMatchObject({ uuid: created.uuid, version: 1 });
      const updated = await client.settings.updateWorkflow(created.uuid, {
        features: [
          {
            feature: 'LIVENESS',
            config: { face_liveness_method: 'ACTION_FLASHING', liveness_threshold: 85, face_liveness_max_attempts: 2 },
          },
        ],
      });
      expect(updated).toMatchObject({
        version: 2,
        settings: { liveness_mode: 'action_flash', liveness_threshold: 85, face_liveness_max_attempts: 2 },
      });
      expect(updated.settings.face_match).toBeUndefined();
      expect(await client.settings.deleteWorkflow(spare.uuid)).toEqual({ success: true });
      await expect(client.settings.getWorkflow(spare.uuid)).rejects.toThrow(/Didit API 404 .*NOT_FOUND/);

      const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/didit`;
      const destination = await client.webhooks.createDestination({
        label: 'Core banking',
        url: hookUrl,
        subscribed_events: ['status.updated'],
      });
      expect(destination).toMatchObject({
        uuid: expect.any(String),
        label: 'Core banking',
        url: hookUrl,
        enabled: true,
        webhook_version: 'v3',
        subscribed_events: ['status.updated'],
        secret_shared_key: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      await expect(client.webhooks.createDestination({ label: 'Plain', url: 'http://bank.example/hook' })).rejects.toThrow(
        /Didit API 400 .*https/,
      );
      const other = await client.webhooks.createDestination({ label: 'Temp', url: 'https://bank.example/hook', enabled: false });
      expect((await client.webhooks.listDestinations()).count).toBe(2);
      expect(await client.webhooks.getDestination(destination.uuid)).toMatchObject({ secret_shared_key: destination.secret_shared_key });
      expect(await client.webhooks.updateDestination(other.uuid, { label: 'Temp 2' })).toMatchObject({ label: 'Temp 2', enabled: false });
      expect(await client.webhooks.deleteDestination(other.uuid)).toEqual({ success: true });
      expect((await client.webhooks.listDestinations()).results.map((d: { uuid: string }) => d.uuid)).toEqual([destination.uuid]);
    });

    it('branch flow: create a session, a kiosk claims its code, syncs; reviews, update-status (Resubmitted, a new attempt), list, decision, PDF, delete', async () => {
      const workflow = (await client.settings.listWorkflows()).results.find((w: { is_default: boolean }) => w.is_default);
      const destination = (await client.webhooks.listDestinations()).results[0];

      // The kiosk enrols and learns the server's workflow-signing key.
      const store = openStore({ path: join(dir, 'kiosk.sqlite') });
      try {
        const sync = createSyncClient({ store, serverUrl: base, enrolToken: 'kiosk-token' });
        const deviceId = await sync.enrol();
        const keyInfo = await (await signedFetch(store, base, deviceId, 'GET', '/v1/kiosk/signing-key')).json();
        const serverKey = createPublicKey(keyInfo.public_key);

        const created = await client.sessions.createSession({
          workflow_id: workflow.uuid,
          vendor_data: 'customer-42',
          metadata: { branch: 'Main St' },
        });
        expect(created).toMatchObject({
          session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          session_number: expect.any(Number),
          status: 'Not Started',
          workflow_id: workflow.uuid,
          vendor_data: 'customer-42',
          url: `${base}/v3/session/${created.session_id}/qr`,
          short_code: expect.stringMatching(/^[A-HJ-NP-TW-Z2-9]{4}-[A-HJ-NP-TW-Z2-9]{4}$/),
        });
        // The QR payload is a server-signed token an offline kiosk can verify.
        const [prefix, payloadPart, signaturePart] = created.session_token.split('.');
        expect(prefix).toBe('lvs1');
        const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
        expect(verifySignature(null, Buffer.from(payloadPart, 'base64url'), serverKey, Buffer.from(signaturePart, 'base64url'))).toBe(true);
        expect(Buffer.from(payloadPart, 'base64url').toString('utf8')).toBe(canonicalJson(payload));
        expect(payload).toMatchObject({
          typ: 'session',
          session_id: created.session_id,
          attempt_id: created.attempt_id,
          short_code: created.short_code,
          settings: { liveness_mode: 'action_flash', liveness_threshold: 85 },
          key_id: keyInfo.key_id,
        });
        expect(Date.parse(payload.expires_at)).toBeGreaterThan(Date.now());
        const qr = await fetch(created.url, { headers: { 'x-api-key': API_KEY } });
        expect(qr.headers.get('content-type')).toMatch(/image\/svg\+xml/);
        expect(await qr.text()).toMatch(/^<svg/);

        // The kiosk's current workflow, as a signed envelope.
        const envelope = signedWorkflowSchema.parse(await (await signedFetch(store, base, deviceId, 'GET', '/v1/kiosk/workflow')).json());
        expect(envelope.payload).toMatchObject({
          workflow_id: workflow.uuid,
          version: 2,
          device_id: deviceId,
          settings: { liveness_mode: 'action_flash' },
        });
        expect(
          verifySignature(null, Buffer.from(canonicalJson(envelope.payload)), serverKey, Buffer.from(envelope.signature, 'base64')),
        ).toBe(true);

        // The person types the code at the kiosk (lower case, no dash): the session goes In Progress.
        const claim = await signedFetch(store, base, deviceId, 'POST', '/v1/kiosk/sessions/claim', {
          code: created.short_code.replace('-', '').toLowerCase(),
        });
        expect(claim.status).toBe(200);
        const claimed = await claim.json();
        expect(claimed).toMatchObject({
          session_id: created.session_id,
          attempt_id: created.attempt_id,
          status: 'In Progress',
          settings: { liveness_mode: 'action_flash', face_liveness_max_attempts: 2 },
        });
        const wrong = await signedFetch(store, base, deviceId, 'POST', '/v1/kiosk/sessions/claim', { code: 'AAAA-AAAA' });
        expect(wrong.status).toBe(404);
        expect((await wrong.json()).error.code).toBe('CODE_NOT_FOUND');

        // Its result, recorded under the attempt id and synced, lands on the session; walk-ins keep working.
        store.recordDecision(actionFlashResult(claimed.attempt_id, 62), await realJpeg(200, 150, 120));
        store.recordDecision(makeResult('walk-in-1', 91), await realJpeg(90, 90, 200));
        expect(await sync.drainOnce()).toMatchObject({ accepted: 2, rejected: 0 });
        const decision = await client.sessions.getSessionDecision(created.session_id);
        expect(decision).toMatchObject({
          session_id: created.session_id,
          session_number: created.session_number,
          status: 'In Review',
          vendor_data: 'customer-42',
          kiosk: deviceId,
          metadata: { branch: 'Main St' },
        });
        expect(decision.liveness_checks[0]).toMatchObject({
          method: 'ACTION_FLASHING',
          score: 62,
          challenge_sequence: ['head_right', 'smile'],
          reference_image: `${base}/v3/session/${created.session_id}/reference-image`,
        });
        expect(decision.evidence.verification).toEqual({
          hash_matches: true,
          signature_valid: true,
          chain: 'genesis',
          image_matches: true,
          verified: true,
        });
        const walkIn = await client.sessions.getSessionDecision('walk-in-1');
        expect(walkIn).toMatchObject({ status: 'Approved', evidence: { verification: { chain: 'linked', verified: true } } });

        // Lists with filters and pagination.
        const inReview = await client.sessions.listSessions({ status: 'In Review', limit: '10', offset: '0' });
        expect(inReview.results.map((s: { session_id: string }) => s.session_id)).toEqual([created.session_id]);
        expect((await client.sessions.listSessions({ vendor_data: 'customer-42' })).count).toBe(1);
        expect((await client.sessions.listSessions({ workflow_id: workflow.uuid })).count).toBe(1);
        const page = await client.sessions.listSessions({ limit: '1', offset: '0' });
        expect(page).toMatchObject({ count: 2, previous: null, next: expect.stringContaining('offset=1') });
        expect((await client.sessions.listSessions({ search: 'walk-in' })).results[0].session_id).toBe('walk-in-1');
        await expect(client.sessions.listSessions({ status: 'Maybe' })).rejects.toThrow(/Didit API 400 .*INVALID_ARGUMENT/);

        // Reviews: a note, then the reviewer sends the person back for a new attempt.
        const note = await client.sessions.addSessionReview(created.session_id, { comment: 'Glare on the left cheek' });
        expect(note).toMatchObject({
          comment: 'Glare on the left cheek',
          previous_status: 'In Review',
          new_status: 'In Review',
          status: 'In Review',
        });
        const resubmitted = await client.sessions.updateSessionStatus(created.session_id, {
          new_status: 'Resubmitted',
          comment: 'Please retry without glasses',
        });
        expect(resubmitted).toMatchObject({
          session_id: created.session_id,
          status: 'Resubmitted',
          short_code: expect.any(String),
          attempt_id: `${created.session_id}~2`,
        });
        expect(resubmitted.short_code).not.toBe(created.short_code);
        const old = await signedFetch(store, base, deviceId, 'POST', '/v1/kiosk/sessions/claim', { code: created.short_code });
        expect((await old.json()).error.code).toBe('CODE_SUPERSEDED');
        const second = await (
          await signedFetch(store, base, deviceId, 'POST', '/v1/kiosk/sessions/claim', { code: resubmitted.short_code })
        ).json();
        expect(second).toMatchObject({ attempt_id: resubmitted.attempt_id, status: 'In Progress' });
        store.recordDecision(actionFlashResult(second.attempt_id, 93), await realJpeg(210, 160, 130));
        expect(await sync.drainOnce()).toMatchObject({ accepted: 1 });
        expect((await client.sessions.getSessionDecision(created.session_id)).status).toBe('Approved');
        expect(
          await client.sessions.updateSessionStatus(created.session_id, {
            new_status: 'Declined',
            comment: 'Document mismatch at the counter',
          }),
        ).toMatchObject({ status: 'Declined' });
        await expect(client.sessions.updateSessionStatus(created.session_id, { new_status: 'Maybe' })).rejects.toThrow(/Didit API 400/);
        const reviews = await client.sessions.listSessionReviews(created.session_id);
        expect(reviews.results.map((r: { new_status: string; comment: string }) => `${r.new_status}:${r.comment}`)).toEqual([
          'In Review:Glare on the left cheek',
          'Resubmitted:Please retry without glasses',
          'Declined:Document mismatch at the counter',
        ]);

        // Every status change reached the destination, signed with its secret (the review note changed none).
        for (let i = 0; i < 200 && hookEvents.filter((e) => JSON.parse(e.body).session_id === created.session_id).length < 6; i++) {
          await server.flushWebhooks();
          await new Promise((r) => setTimeout(r, 20));
        }
        const mine = hookEvents.filter((e) => JSON.parse(e.body).session_id === created.session_id);
        expect(mine.map((e) => JSON.parse(e.body).status)).toEqual([
          'In Progress',
          'In Review',
          'Resubmitted',
          'In Progress',
          'Approved',
          'Declined',
        ]);
        for (const event of mine) expect(event.signature).toBe(signWebhook(destination.secret_shared_key, event.body));
        expect(JSON.parse(mine[0].body)).toMatchObject({
          webhook_type: 'status.updated',
          vendor_data: 'customer-42',
          workflow_id: workflow.uuid,
          metadata: { branch: 'Main St' },
        });

        // The evidence PDF: through Didit's client (which reads it as text) and as bytes, opened with pdftotext.
        const viaClient = await client.sessions.generateSessionPdf(created.session_id);
        expect(viaClient.raw.startsWith('%PDF-')).toBe(true);
        const pdfResponse = await fetch(`${base}/v3/session/${created.session_id}/generate-pdf`, { headers: { 'x-api-key': API_KEY } });
        expect(pdfResponse.headers.get('content-type')).toBe('application/pdf');
        const pdfPath = join(dir, 'evidence.pdf');
        writeFileSync(pdfPath, Buffer.from(await pdfResponse.arrayBuffer()));
        expect(execFileSync('pdfimages', ['-list', pdfPath], { encoding: 'utf8' }).trim().split('\n').length - 2).toBe(2);
        const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
        expect(text).toContain(created.session_id);
        expect(text).toMatch(/Status: Declined/);
        expect(text).toMatch(/Check 1 of 2: ACTION_FLASHING/);
        expect(text).toMatch(/Liveness score: 62 \(threshold 75, not passed\)/);
        expect(text).toMatch(/Liveness score: 93/);
        expect(text).toMatch(/Challenges asked, in order: 1\. head_right 2\. smile/);
        expect(text).toMatch(/Flash sequence: 3 colours over 1050 ms, seed seed-77/);
        expect(text).toMatch(/Flash reflection score: 71/);
        expect(text).toMatch(/Signature verifies with the kiosk's enrolled key: yes/);
        expect(text).toMatch(/Hash chain: the kiosk's first record/);
        expect(text).toMatch(/Hash chain: linked to the kiosk's previous record/);
        expect(text).toMatch(/Record verified: yes/);
        expect(text).toContain('Please retry without glasses');
        expect(text).toContain('Document mismatch at the counter');

        // Erasure: the walk-in by id, the branch session by number; images and personal data go, an audit entry stays.
        expect(await client.sessions.deleteSession('walk-in-1')).toEqual({ success: true });
        await expect(client.sessions.getSessionDecision('walk-in-1')).rejects.toThrow(/Didit API 404/);
        expect(await client.sessions.batchDeleteSessions([created.session_number])).toEqual({
          deleted: 1,
          deleted_records: 2,
          deleted_images: 2,
        });
        await expect(client.sessions.batchDeleteSessions([])).rejects.toThrow(/Didit API 400/);
        const db = server.storage.db;
        for (const table of ['images', 'decisions', 'sessions', 'reviews', 'session_attempts', 'webhook_deliveries']) {
          expect(Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n), table).toBe(0);
        }
        const dump = JSON.stringify(await db.all('SELECT * FROM audit_events'));
        expect(dump).not.toContain('customer-42');
        const audit = (await (await fetch(`${base}/v1/audit`, { headers: { 'x-api-key': API_KEY } })).json()).results;
        expect(
          audit
            .filter((e: { code: string }) => e.code === 'SESSION_DELETED')
            .map((e: { session_id: string }) => e.session_id)
            .sort(),
        ).toEqual([created.session_id, 'walk-in-1'].sort());
        // A kiosk re-sending an erased record is told duplicate, not accused of tampering.
        const again = await signedFetch(store, base, deviceId, 'POST', '/v1/decisions', { records: store.signedRecords([1]) });
        expect((await again.json()).results[0].status).toBe('duplicate');
      } finally {
        store.close();
      }
    });
  });
}
