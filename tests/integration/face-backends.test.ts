// The face routes and the background face screening on each database the server runs on: SQLite (exact search),
// this machine's PostgreSQL 15 (no pgvector: the exact fallback) and PostgreSQL with pgvector (PGlite behind
// pglite-socket, reached by the server's ordinary `pg` driver: the HNSW path). Real server over HTTP, real engine,
// real fixture photos, a real kiosk store and sync client.
// Reproductions kept: "a kiosk syncs an Approved decision whose face is on a server blocklist: the session ends
// Declined with FACE_IN_BLOCKLIST"; "deleting a session or a list entry erases its embeddings (search afterwards)".
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/node/engine/index';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { createServer, type LivenessServer, type PassiveEngine } from '../../src/server';
import { FACE_SCREENING_REVIEWER } from '../../src/server/faces/screening-worker';
import { makeResult } from '../../src/testkit/fault-support';
import { fixturesDir, repoRoot } from '../../src/testkit/fixtures';
import { startPgliteVector, type PgliteVectorServer } from './pglite-vector-support';

const photo = (rel: string) => join(fixturesDir, rel);
// deepface's identity group A: three photos of one person; Biden and Obama are two others.
const PERSON_A_BLOCKLISTED = photo('serengil__deepface/tests/unit/dataset/img6.jpg');
const PERSON_A_SEARCH = photo('serengil__deepface/tests/unit/dataset/img4.jpg');
const PERSON_A_AT_KIOSK = photo('serengil__deepface/tests/unit/dataset/img10.jpg');
const BIDEN = photo('ageitgey__face_recognition/examples/biden.jpg');
const OBAMA = photo('ageitgey__face_recognition/examples/obama.jpg');
const ready = existsSync(resolve(repoRoot, 'models/faceres.onnx')) && existsSync(PERSON_A_AT_KIOSK);
const KEY = 'K-face-backends';
/** The longest the test waits for the background screening (the engine may load first on a loaded machine). */
const SCREENING_WAIT_MS = 240_000;

type Backend = {
  name: string;
  expected: 'exact' | 'hnsw';
  start(dir: string): Promise<{ options: Record<string, unknown>; cleanup(): Promise<void> }>;
};

const testDatabaseUrl = process.env.TEST_DATABASE_URL;
const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    expected: 'exact',
    start: async (dir) => ({ options: { db: join(dir, 'server.sqlite') }, cleanup: async () => undefined }),
  },
  ...(testDatabaseUrl
    ? [
        {
          name: 'PostgreSQL 15 without pgvector',
          expected: 'exact' as const,
          start: async (dir: string) => {
            const schema = `faces_be_${randomBytes(5).toString('hex')}`;
            return {
              options: { databaseUrl: testDatabaseUrl, pgSchema: schema, imageKeyFile: join(dir, 'image-key') },
              async cleanup() {
                const client = new pg.Client({ connectionString: testDatabaseUrl });
                await client.connect();
                await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
                await client.end();
              },
            };
          },
        },
      ]
    : []),
  {
    name: 'PostgreSQL with pgvector (PGlite over the wire protocol)',
    expected: 'hnsw',
    start: async (dir) => {
      const pglite: PgliteVectorServer = await startPgliteVector();
      return { options: { databaseUrl: pglite.url, imageKeyFile: join(dir, 'image-key') }, cleanup: () => pglite.stop() };
    },
  },
];

/** One engine for every server of this file (each would otherwise load its own models). */
let sharedEngine: Promise<Awaited<ReturnType<typeof createEngine>>> | null = null;
function engineFactory(): () => Promise<PassiveEngine> {
  return async () => {
    sharedEngine ??= createEngine();
    const engine = await sharedEngine;
    // The servers close their engine on close; the shared one is closed once, after every backend.
    return {
      analyzeImage: (b: Uint8Array) => engine.analyzeImage(b),
      describeLargestFace: (b: Uint8Array) => engine.describeLargestFace(b),
    } as PassiveEngine;
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + SCREENING_WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

if (!testDatabaseUrl) {
  describe.skip('face routes on PostgreSQL 15: SKIPPED because TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}

afterAll(async () => {
  if (sharedEngine) await (await sharedEngine).close();
});

for (const backend of BACKENDS) {
  describe.skipIf(!ready)(
    `face identity on ${backend.name}${ready ? '' : ' (SKIPPED: models/faceres.onnx or the fixtures are missing)'}`,
    () => {
      let dir: string;
      let server: LivenessServer;
      let base: string;
      let cleanup: () => Promise<void>;
      const stores: DecisionStore[] = [];

      const api = async (path: string, init: { method?: string; body?: unknown; form?: FormData } = {}) => {
        const response = await fetch(`${base}${path}`, {
          method: init.method ?? (init.body || init.form ? 'POST' : 'GET'),
          headers: { 'x-api-key': KEY, ...(init.body ? { 'content-type': 'application/json' } : {}) },
          body: init.form ?? (init.body ? JSON.stringify(init.body) : undefined),
        });
        const text = await response.text();
        expect(text).not.toMatch(/embedding/i); // never returned by any API
        return { status: response.status, json: text ? JSON.parse(text) : null };
      };
      const form = (fields: Record<string, string>, files: Record<string, string>) => {
        const data = new FormData();
        for (const [k, v] of Object.entries(fields)) data.append(k, v);
        for (const [k, path] of Object.entries(files)) data.append(k, new Blob([readFileSync(path)], { type: 'image/jpeg' }), 'photo.jpg');
        return data;
      };
      const faceSearch = async (path: string, fields: Record<string, string> = {}) => {
        const answer = await api('/v3/face-search/', { form: form({ save_api_request: 'false', ...fields }, { user_image: path }) });
        expect(answer.status).toBe(200);
        return answer.json.face_search as {
          status: string;
          warnings: { risk: string }[];
          matches: { session_id: string | null; entry_uuid: string | null; is_blocklisted: boolean; vendor_data: string | null }[];
        };
      };
      const blocklistUuid = async () => (await api('/v3/lists/?list_type=blocklist&entry_type=face')).json.results[0].uuid as string;
      /** A kiosk's own store and sync client: it records a decision (signed, chained) and syncs it. */
      const kioskSync = async (sessionId: string, imagePath: string, token: string) => {
        const store = openStore({ path: join(dir, `kiosk-${token}.sqlite`) });
        stores.push(store);
        store.recordDecision(makeResult(sessionId, 92), new Uint8Array(readFileSync(imagePath)));
        return createSyncClient({ store, serverUrl: base, enrolToken: token }).drainOnce();
      };
      const screeningOf = (decisionSessionId: string) =>
        waitFor(`the face screening of ${decisionSessionId}`, async () => {
          const row = await server.storage.db.get<{ state: string; warnings_json: string; reason: string | null; enrolled: number }>(
            'SELECT state, warnings_json, reason, enrolled FROM face_screenings WHERE decision_session_id = $1',
            [decisionSessionId],
          );
          return row && row.state !== 'running' ? row : undefined;
        });

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'face-backends-'));
        const started = await backend.start(dir);
        cleanup = started.cleanup;
        server = await createServer({
          ...started.options,
          apiKey: KEY,
          enrolTokens: ['kiosk-1', 'kiosk-2', 'kiosk-3'],
          engineFactory: engineFactory(),
          webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: 'hook-secret' }],
        });
        base = await server.listen({ port: 0 });
      }, 300_000);

      afterAll(async () => {
        for (const store of stores.splice(0)) store.close();
        await server?.close();
        await cleanup?.();
        rmSync(dir, { recursive: true, force: true });
      }, 120_000);

      it(`searches with ${backend.expected === 'hnsw' ? 'pgvector HNSW' : 'exact search'}: face-upload to the blocklist, face-search declines, save_api_request enrols a duplicate`, async () => {
        const hnsw = await server.storage.db
          .get("SELECT 1 AS x FROM pg_indexes WHERE indexname = 'face_embeddings_hnsw'")
          .catch(() => undefined);
        expect(Boolean(hnsw)).toBe(backend.expected === 'hnsw');

        const upload = await api(`/v3/lists/${await blocklistUuid()}/entries/face-upload/`, {
          body: { image: readFileSync(PERSON_A_BLOCKLISTED).toString('base64'), display_label: 'case 11' },
        });
        expect(upload.status).toBe(201);
        const hit = await faceSearch(PERSON_A_SEARCH);
        expect(hit.status).toBe('Declined');
        expect(hit.warnings.map((w) => w.risk)).toContain('FACE_IN_BLOCKLIST');
        expect(hit.matches[0]).toMatchObject({ is_blocklisted: true, entry_uuid: upload.json.uuid });

        if (backend.expected === 'hnsw') {
          // Every stored face has its vector, and the planner can answer the server's query from the HNSW index.
          expect(await server.storage.db.get('SELECT COUNT(*)::int AS n FROM face_embeddings WHERE embedding_vec IS NULL')).toEqual({
            n: 0,
          });
          const plan = await server.storage.db.tx(async (q) => {
            await q.run('SET LOCAL enable_seqscan = off');
            return q.all<{ 'QUERY PLAN': string }>(
              'EXPLAIN SELECT uuid FROM face_embeddings WHERE searchable = 1 ORDER BY embedding_vec <=> (SELECT embedding_vec FROM face_embeddings LIMIT 1) LIMIT 5',
            );
          });
          expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/face_embeddings_hnsw/);
        }

        const enrol = await api('/v3/face-match/', { form: form({ vendor_data: 'customer-1' }, { user_image: BIDEN, ref_image: BIDEN }) });
        expect(enrol.status).toBe(200);
        const duplicate = await faceSearch(BIDEN, { vendor_data: 'customer-2' });
        expect(duplicate.status).toBe('Approved');
        expect(duplicate.warnings.map((w) => w.risk)).toContain('DUPLICATED_FACE');
        expect(duplicate.matches[0]).toMatchObject({ vendor_data: 'customer-1', is_blocklisted: false });
      }, 300_000);

      it('a kiosk syncs an Approved decision whose face is on the server blocklist: the session ends Declined with FACE_IN_BLOCKLIST, the signed record untouched', async () => {
        const walkIn = `walk-in-${randomBytes(4).toString('hex')}`;
        expect(await kioskSync(walkIn, PERSON_A_AT_KIOSK, 'kiosk-1')).toMatchObject({ accepted: 1 });
        // The sync answered at once; the screening runs after it.
        const screening = await screeningOf(walkIn);
        expect(screening.state).toBe('done');
        expect(JSON.parse(screening.warnings_json)).toContain('FACE_IN_BLOCKLIST');

        const decision = (await api(`/v3/session/${walkIn}/decision/`)).json;
        expect(decision.status).toBe('Declined');
        const review = decision.reviews.find((r: { user: string }) => r.user === FACE_SCREENING_REVIEWER);
        expect(review).toMatchObject({ previous_status: 'Approved', new_status: 'Declined' });
        expect(review.comment).toMatch(/^FACE_IN_BLOCKLIST: list [0-9a-f-]+ entry [0-9a-f-]+, similarity \d/);
        // The kiosk's signed record still says what the kiosk decided.
        const stored = await server.storage.db.get<{ decided_status: string; record_json: string }>(
          'SELECT decided_status, record_json FROM decisions WHERE session_id = $1',
          [walkIn],
        );
        expect(stored?.decided_status).toBe('Approved');
        expect(JSON.parse(stored!.record_json).result.status).toBe('Approved');
        // A webhook carries the status change and its reason.
        const hooks = await server.storage.db.all<{ payload: string }>(
          'SELECT payload FROM webhook_deliveries WHERE session_id = $1 ORDER BY id',
          [walkIn],
        );
        const declined = hooks.map((h) => JSON.parse(h.payload)).find((p) => p.status === 'Declined');
        expect(declined).toMatchObject({ session_id: walkIn, face_screening: { warnings: ['FACE_IN_BLOCKLIST'] } });
        expect(JSON.stringify(hooks)).not.toMatch(/embedding/i);
      }, 300_000);

      it('a session made through the API with FACE_SEARCH enrols its face once Approved; deleting the session, and the blocklist entry, erases their faces from search', async () => {
        const workflow = (
          await api('/v3/workflows/', {
            body: {
              features: [
                { feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE' } },
                { feature: 'FACE_SEARCH', config: { face_search_score_threshold: 60 } },
              ],
            },
          })
        ).json;
        const session = (await api('/v3/session/', { body: { workflow_id: workflow.uuid, vendor_data: 'customer-9' } })).json;
        const token = JSON.parse(Buffer.from(session.qr_payload.split('.')[1], 'base64url').toString('utf8'));
        expect(await kioskSync(token.attempt_id, OBAMA, 'kiosk-2')).toMatchObject({ accepted: 1 });
        const screening = await screeningOf(token.attempt_id);
        expect(screening).toMatchObject({ state: 'done', enrolled: 1 });
        expect(JSON.parse(screening.warnings_json)).toEqual([]);
        expect((await api(`/v3/session/${session.session_id}/decision/`)).json.status).toBe('Approved');

        // Enrolled: the same face under another vendor_data is found, as that session's.
        const found = await faceSearch(OBAMA, { vendor_data: 'customer-10' });
        expect(found.warnings.map((w) => w.risk)).toContain('DUPLICATED_FACE');
        expect(found.matches[0]).toMatchObject({ session_id: session.session_id, vendor_data: 'customer-9' });

        expect((await api(`/v3/session/${session.session_id}/delete/`, { method: 'DELETE' })).status).toBe(204);
        const afterErase = await faceSearch(OBAMA, { vendor_data: 'customer-10' });
        expect(afterErase.warnings).toEqual([]);
        expect(afterErase.matches.map((m) => m.session_id)).not.toContain(session.session_id);
        expect(await server.storage.db.all('SELECT uuid FROM face_embeddings WHERE session_id = $1', [session.session_id])).toEqual([]);

        // The blocklist entry: deleted, its face no longer declines anyone.
        const blocklist = await blocklistUuid();
        const entries = (await api(`/v3/lists/${blocklist}/entries/`)).json.results as { uuid: string }[];
        expect(entries).toHaveLength(1);
        expect((await api(`/v3/lists/${blocklist}/entries/${entries[0].uuid}/`, { method: 'DELETE' })).status).toBe(204);
        const cleared = await faceSearch(PERSON_A_SEARCH);
        expect(cleared.status).toBe('Approved');
        expect(cleared.warnings.map((w) => w.risk)).not.toContain('FACE_IN_BLOCKLIST');
      }, 300_000);

      it('POST /v3/sessions/delete/ erases the enrolled faces of the sessions it deletes', async () => {
        const workflow = (
          await api('/v3/workflows/', {
            body: {
              features: [
                { feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE' } },
                { feature: 'FACE_SEARCH', config: { face_search_score_threshold: 60 } },
              ],
            },
          })
        ).json;
        const session = (await api('/v3/session/', { body: { workflow_id: workflow.uuid, vendor_data: 'customer-12' } })).json;
        const token = JSON.parse(Buffer.from(session.qr_payload.split('.')[1], 'base64url').toString('utf8'));
        expect(await kioskSync(token.attempt_id, PERSON_A_AT_KIOSK, 'kiosk-3')).toMatchObject({ accepted: 1 });
        expect(await screeningOf(token.attempt_id)).toMatchObject({ state: 'done', enrolled: 1 });
        expect((await faceSearch(PERSON_A_SEARCH, { vendor_data: 'customer-13' })).matches.map((m) => m.session_id)).toContain(
          session.session_id,
        );
        const number = (await api(`/v3/session/${session.session_id}/decision/`)).json.session_number;
        expect((await api('/v3/sessions/delete/', { body: { session_numbers: [number] } })).json).toMatchObject({ deleted: 1 });
        expect((await faceSearch(PERSON_A_SEARCH, { vendor_data: 'customer-13' })).matches.map((m) => m.session_id)).not.toContain(
          session.session_id,
        );
        expect(await server.storage.db.all('SELECT uuid FROM face_embeddings WHERE session_id = $1', [session.session_id])).toEqual([]);
      }, 300_000);
    },
  );
}
