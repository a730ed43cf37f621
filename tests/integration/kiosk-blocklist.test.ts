// The offline face blocklist on the kiosk: a face blocklisted at the central API is synced down (encrypted at rest),
// then the server goes away and the kiosk, offline, declines that face at decision time; the hit is in the signed,
// hash-chained record. Real server, real kiosk service, real engine and store, real fixture photos.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type LivenessServer } from '../../src/server';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { openStore } from '../../src/node/store/index';
import { CONSENT_VERSION } from '../../src/shared/ipc-contract';
import type { LivenessResult } from '../../src/shared/result';
import { fixturesDir, repoRoot } from '../../src/testkit/fixtures';
import { stillAsCamera } from '../../src/testkit/camera-streams';

// Two press photos of one person (deepface's identity group A): the capture, and the photo the blocklist holds.
const CAPTURE = join(fixturesDir, 'serengil__deepface/tests/unit/dataset/img10.jpg');
const BLOCKLISTED = join(fixturesDir, 'serengil__deepface/tests/unit/dataset/img6.jpg');
const ready = existsSync(resolve(repoRoot, 'models/faceres.onnx')) && existsSync(CAPTURE);
const context = { clientId: 'blocklist-test' };

/** One passive session on one still, through the kiosk service's own channels. */
async function passiveSession(kiosk: ComposedKiosk, jpeg: Uint8Array): Promise<LivenessResult> {
  const started = (await kiosk.service.handle('session.start', { config: { liveness_mode: 'passive' } }, context)) as {
    ok: boolean;
    value: { sessionId: string };
  };
  expect(started.ok).toBe(true);
  const { sessionId } = started.value;
  expect(
    await kiosk.service.handle('session.consent', { sessionId, accepted: true, consentVersion: CONSENT_VERSION }, context),
  ).toMatchObject({ ok: true });
  // The still as a camera would give it (read noise, clock jitter): a repeated still is caught as a frozen stream.
  const frames = await stillAsCamera(jpeg, 60);
  for (let i = 0; i < 60; i++) {
    const update = (await kiosk.service.handle(
      'session.frame',
      { sessionId, timestampMs: frames[i].timestampMs, jpeg: frames[i].jpeg },
      context,
    )) as { ok: boolean; value?: { done?: boolean } };
    expect(update.ok).toBe(true);
    if (update.value?.done) break;
  }
  const finished = (await kiosk.service.handle('session.finish', { sessionId }, context)) as {
    ok: boolean;
    value: { result: LivenessResult };
  };
  expect(finished.ok).toBe(true);
  return finished.value.result;
}

describe.skipIf(!ready)(
  `offline face blocklist on the kiosk${ready ? '' : ' (SKIPPED: models/faceres.onnx or the fixtures are missing)'}`,
  () => {
    let dir: string;
    let server: LivenessServer;
    let kiosk: ComposedKiosk;
    let jpeg: Uint8Array;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-blocklist-'));
      server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: 'K-block', enrolTokens: ['T-block-123456'] });
      const base = await server.listen({ port: 0 });
      kiosk = await composeKiosk(
        { dbPath: join(dir, 'kiosk.sqlite') },
        { allowTestSeed: true, sync: { serverUrl: base, enrolToken: 'T-block-123456', idleMs: 3_600_000 } },
      );
      jpeg = new Uint8Array(readFileSync(CAPTURE));
    }, 120_000);

    afterAll(async () => {
      await kiosk?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('Approved before the blocklist; blocklisted at the server, synced, server gone: Declined offline, hit in the signed record', async () => {
      const before = await passiveSession(kiosk, jpeg);
      expect(
        before,
        JSON.stringify({
          s: before.status,
          w: before.warnings,
          f: before.feedback_codes,
          n: before.frames_captured,
          sc: before.liveness_score,
        }),
      ).toMatchObject({ status: 'Approved' });
      expect(before.warnings).not.toContain('FACE_IN_BLOCKLIST');

      // Staff blocklist the person, from another photo of them, at the server.
      const copy = readFileSync(BLOCKLISTED);
      const base = server.app.server.address() as { port: number };
      const api = `http://127.0.0.1:${base.port}/v3`;
      const lists = await (
        await fetch(`${api}/lists/?list_type=blocklist&entry_type=face`, { headers: { 'x-api-key': 'K-block' } })
      ).json();
      const upload = await fetch(`${api}/lists/${lists.results[0].uuid}/entries/face-upload/`, {
        method: 'POST',
        headers: { 'x-api-key': 'K-block', 'content-type': 'application/json' },
        body: JSON.stringify({ image: copy.toString('base64'), display_label: 'case 7' }),
      });
      expect(upload.status).toBe(201);
      const entry = await upload.json();

      expect(await kiosk.refreshBlocklist()).toBe(1);
      await server.close(); // the kiosk is offline from here on

      const after = await passiveSession(kiosk, jpeg);
      expect(after.status).toBe('Declined');
      expect(after.warnings).toContain('FACE_IN_BLOCKLIST');
      expect(after.retry_allowed).toBe(false);
      expect(after.score_details).toMatchObject({ blocklist_entry_uuid: entry.uuid, blocklist_similarity: expect.any(Number) });

      await kiosk.close();
      // The embedding is stored encrypted: no float run of it appears in the file, and the signed chain holds the hit.
      const raw = new Database(join(dir, 'kiosk.sqlite'), { readonly: true });
      const stored = raw.prepare('SELECT ciphertext FROM blocklist_faces').all() as { ciphertext: Buffer }[];
      raw.close();
      expect(stored).toHaveLength(1);
      expect(stored[0].ciphertext.length).toBeGreaterThan(4096);
      const store = openStore({ path: join(dir, 'kiosk.sqlite') });
      try {
        expect(store.verifyChain()).toMatchObject({ ok: true, count: 2 });
        const records = store.db.prepare('SELECT record_json FROM decisions ORDER BY seq').all() as { record_json: string }[];
        const last = JSON.parse(records[1].record_json) as { result: LivenessResult };
        expect(last.result).toMatchObject({ status: 'Declined', warnings: expect.arrayContaining(['FACE_IN_BLOCKLIST']) });
        expect(last.result.score_details?.blocklist_entry_uuid).toBe(entry.uuid);
      } finally {
        store.close();
      }
    }, 240_000);
  },
);
