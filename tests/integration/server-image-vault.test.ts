// Issue 14: the central service kept uploaded reference images unencrypted and forever. Now, on SQLite and on
// PostgreSQL: the stored bytes are sealed (no JPEG in the table), the API gives the image back, the retention purge
// erases pictures older than IMAGE_RETENTION_DAYS and keeps their decision records (with an audit entry), and the
// server refuses to start without the key its images were sealed with.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { IMAGE_RETENTION_DAYS } from '../../src/shared/retention';
import { createServer, type LivenessServer, type ServerOptions } from '../../src/server';
import { freshSchema, testDatabaseUrl } from '../../src/testkit/postgres';
import { makeResult, tinyJpeg } from '../../src/testkit/fault-support';

const API_KEY = 'vault-api-key';
const DAY_MS = 24 * 60 * 60 * 1000;
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

type Backend = (dir: string) => Promise<{ options: Partial<ServerOptions>; cleanup(): Promise<void> }>;

const sqliteBackend: Backend = async (dir) => ({ options: { db: join(dir, 'server.sqlite') }, cleanup: async () => undefined });
const postgresBackend: Backend = async () => freshSchema('liveness_vault')();

function vaultSuite(label: string, backend: Backend) {
  describe(`server images at rest on ${label}`, () => {
    let dir: string;
    let options: Partial<ServerOptions>;
    let cleanup: () => Promise<void>;
    const open: Array<LivenessServer | DecisionStore> = [];

    const start = async (extra: Partial<ServerOptions> = {}) => {
      const server = await createServer({ ...options, apiKey: API_KEY, enrolTokens: ['vault-token'], ...extra });
      open.push(server);
      return { server, base: await server.listen({ port: 0 }) };
    };
    const kiosk = () => {
      const store = openStore({ path: join(dir, 'kiosk.sqlite') });
      open.push(store);
      return store;
    };
    const sync = (store: DecisionStore, base: string) =>
      createSyncClient({ store, serverUrl: base, enrolToken: 'vault-token' }).drainOnce();
    const get = (base: string, path: string) => fetch(base + path, { headers: { 'x-api-key': API_KEY } });
    const storedBytes = async (server: LivenessServer, sessionId: string) =>
      Buffer.from((await server.storage.db.get<{ bytes: Buffer }>('SELECT bytes FROM images WHERE session_id = $1', [sessionId]))!.bytes);

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-vault-'));
      const made = await backend(dir);
      options = made.options;
      cleanup = made.cleanup;
    });

    afterEach(async () => {
      for (const item of open.splice(0).reverse()) await item.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores the reference image sealed (no JPEG in the table) and gives the image back through the API', async () => {
      const { server, base } = await start();
      const store = kiosk();
      store.recordDecision(makeResult('vault-a', 92), tinyJpeg(7));
      store.recordDecision(makeResult('vault-b', 91), tinyJpeg(8));
      expect(await sync(store, base)).toMatchObject({ accepted: 2, rejected: 0 });

      const stored = await storedBytes(server, 'vault-a');
      expect(stored.subarray(0, 3).equals(JPEG_MAGIC)).toBe(false);
      expect(stored.includes(tinyJpeg(7).subarray(4, 36))).toBe(false);
      const response = await get(base, '/v3/session/vault-a/reference-image');
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(tinyJpeg(7))).toBe(true);
      // The evidence PDF reads the same sealed image (and re-verifies it against the signed hash).
      expect((await get(base, '/v3/session/vault-a/generate-pdf')).status).toBe(200);

      // A sealed blob is bound to its row: moved to another session it does not open.
      await server.storage.db.run('UPDATE images SET bytes = $1 WHERE session_id = $2', [stored, 'vault-b']);
      const swapped = await get(base, '/v3/session/vault-b/reference-image');
      expect(swapped.status).toBe(500);
      expect((await swapped.json()).error.code).toBe('DATABASE_CORRUPT');
    });

    it(`the retention purge erases pictures older than ${IMAGE_RETENTION_DAYS} days, keeps their records, and says so in the audit log`, async () => {
      const { server, base } = await start();
      const store = kiosk();
      const old = { ...makeResult('vault-old', 93), created_at: new Date(Date.now() - (IMAGE_RETENTION_DAYS + 10) * DAY_MS).toISOString() };
      store.recordDecision(old, tinyJpeg(1));
      store.recordDecision(makeResult('vault-new', 94), tinyJpeg(2));
      expect(await sync(store, base)).toMatchObject({ accepted: 2 });

      expect(await server.purgeExpiredImages()).toBe(1);
      expect((await get(base, '/v3/session/vault-old/reference-image')).status).toBe(404);
      const record = await (await get(base, '/v3/session/vault-old/decision/')).json();
      expect(record).toMatchObject({ session_id: 'vault-old', status: 'Approved' });
      expect(record.liveness_checks[0].reference_image).toBeNull();
      expect((await get(base, '/v3/session/vault-new/reference-image')).status).toBe(200);
      const audit = (await server.storage.listAudit(10)).filter((entry) => entry.code === 'IMAGES_PURGED');
      expect(audit).toHaveLength(1);
      expect(audit[0].detail).toMatch(/^1 reference image\(s\) .* decision records are kept\.$/);

      // A restart past the retention purges at start: the second picture goes, both records stay.
      await server.close();
      const later = await start({ now: () => Date.now() + (IMAGE_RETENTION_DAYS + 1) * DAY_MS });
      expect(await later.server.storage.db.get('SELECT 1 AS x FROM images')).toBeUndefined();
      expect((await get(later.base, '/v3/session/vault-new/decision/')).status).toBe(200);
      expect((await later.server.storage.counts()).decisions).toBe(2);
    });

    it('refuses to start without the key its images were sealed with, and seals images stored in the clear before', async () => {
      const { server, base } = await start();
      const store = kiosk();
      store.recordDecision(makeResult('vault-key', 90), tinyJpeg(3));
      await sync(store, base);
      const keyFile = options.imageKeyFile ?? `${options.db}.image-key`;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      await server.close();

      const original = readFileSync(keyFile);
      rmSync(keyFile);
      await expect(start()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('restore the key file') });
      writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
      await expect(start()).rejects.toMatchObject({ code: 'DATABASE_FOREIGN' });
      writeFileSync(keyFile, original, { mode: 0o600 });

      // A database from before encryption at rest: its plaintext picture is sealed at the first start with a key.
      const again = await start();
      await again.server.storage.db.run('UPDATE images SET bytes = $1 WHERE session_id = $2', [tinyJpeg(3), 'vault-key']);
      await again.server.storage.db.run('DELETE FROM image_vault_keys');
      await again.server.close();
      const sealed = await start();
      expect((await storedBytes(sealed.server, 'vault-key')).subarray(0, 3).equals(JPEG_MAGIC)).toBe(false);
      const image = await get(sealed.base, '/v3/session/vault-key/reference-image');
      expect(Buffer.from(await image.arrayBuffer()).equals(tinyJpeg(3))).toBe(true);
    });
  });
}

vaultSuite('SQLite', sqliteBackend);

if (testDatabaseUrl) {
  vaultSuite('PostgreSQL', postgresBackend);
  it('a server on PostgreSQL will not start without an image key file (there is no safe default place for one)', async () => {
    const made = await freshSchema('liveness_vault')();
    try {
      await expect(createServer({ ...made.options, imageKeyFile: undefined, apiKey: API_KEY })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('--image-key-file'),
      });
    } finally {
      await made.cleanup();
    }
  });
} else {
  describe.skip('server images at rest on PostgreSQL: SKIPPED because TEST_DATABASE_URL is not set', () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
}
