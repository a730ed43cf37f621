// Face identity on the central API, driven by Didit's published client (@didit-protocol/mcp-server's own functions)
// against a real server on SQLite with the real engine and real fixture photos: face-match, face-search with the
// blocklist and duplicate warnings, age-estimation, and the lists routes with face uploads.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type LivenessServer } from '../../src/server';
import { fixturesDir, repoRoot } from '../../src/testkit/fixtures';

const photo = (rel: string) => join(fixturesDir, rel);
const OBAMA = photo('ageitgey__face_recognition/examples/obama.jpg');
const BIDEN = photo('ageitgey__face_recognition/examples/biden.jpg');
const OBAMA_2 = photo('ageitgey__face_recognition/examples/obama2.jpg');
const PERSON_A_1 = photo('serengil__deepface/tests/unit/dataset/img4.jpg');
const PERSON_A_2 = photo('serengil__deepface/tests/unit/dataset/img6.jpg');
const ready = existsSync(resolve(repoRoot, 'models/faceres.onnx')) && existsSync(OBAMA);

// The client ships no types for its answers: they are JSON, checked field by field below.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Client = {
  standalone: {
    faceMatch(a: string, b: string, options?: Record<string, unknown>): Promise<any>;
    faceSearch(image: string, options?: Record<string, unknown>): Promise<any>;
    ageEstimation(image: string, options?: Record<string, unknown>): Promise<any>;
    passiveLiveness(image: string, options?: Record<string, unknown>): Promise<any>;
  };
  lists: {
    listLists(params?: Record<string, unknown>): Promise<any>;
    createList(data: Record<string, unknown>): Promise<any>;
    getListDetail(uuid: string): Promise<any>;
    updateList(uuid: string, data: Record<string, unknown>): Promise<any>;
    deleteList(uuid: string): Promise<any>;
    listEntries(uuid: string, params?: Record<string, unknown>): Promise<any>;
    createEntry(uuid: string, data: Record<string, unknown>): Promise<any>;
    deleteEntry(uuid: string, entry: string): Promise<any>;
    uploadFaceEntry(uuid: string, data: Record<string, unknown>): Promise<any>;
  };
};
/* eslint-enable @typescript-eslint/no-explicit-any */

describe.skipIf(!ready)(
  `face identity routes with Didit's client${ready ? '' : ' (SKIPPED: models/faceres.onnx or the fixtures are missing; run liveness build-models)'}`,
  () => {
    let dir: string;
    let server: LivenessServer;
    let client: Client;
    let blank: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-faces-'));
      server = await createServer({ db: join(dir, 's.sqlite'), apiKey: 'K-faces' });
      const base = await server.listen({ port: 0 });
      // The client reads its base URL and key when first loaded: set them, then load it.
      process.env.DIDIT_API_BASE_URL = `${base}/v3`;
      process.env.DIDIT_API_KEY = 'K-faces';
      const require = createRequire(import.meta.url);
      client = {
        standalone: require('@didit-protocol/mcp-server/dist/tools/standalone.js'),
        lists: require('@didit-protocol/mcp-server/dist/tools/lists.js'),
      };
      blank = join(dir, 'wall.png');
      writeFileSync(
        blank,
        await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 190, b: 180 } } })
          .png()
          .toBuffer(),
      );
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('face-match: two photos of one person are Approved, two people are Declined with LOW_FACE_MATCH_SIMILARITY', async () => {
      const same = await client.standalone.faceMatch(PERSON_A_1, PERSON_A_2, { save_api_request: 'false' });
      expect(same.face_match.status).toBe('Approved');
      expect(same.face_match.score).toBeGreaterThan(30);
      expect(same.face_match.user_image.entities[0]).toMatchObject({
        bbox: expect.any(Array),
        confidence: expect.any(Number),
        age: expect.any(Number),
      });
      const different = await client.standalone.faceMatch(OBAMA, BIDEN, { save_api_request: 'false' });
      expect(different.face_match.status).toBe('Declined');
      expect(different.face_match.score).toBeLessThanOrEqual(30);
      expect(different.face_match.warnings.map((w: { risk: string }) => w.risk)).toEqual(['LOW_FACE_MATCH_SIMILARITY']);
      // The score is symmetric, as Didit documents.
      const reversed = await client.standalone.faceMatch(BIDEN, OBAMA, { save_api_request: 'false' });
      expect(reversed.face_match.score).toBeCloseTo(different.face_match.score, 1);
    }, 120_000);

    it('face-match with no face in one image: 200, Declined, NO_REFERENCE_IMAGE, score null', async () => {
      const answer = await client.standalone.faceMatch(OBAMA, blank);
      expect(answer.face_match).toMatchObject({ status: 'Declined', score: null });
      expect(answer.face_match.warnings[0].risk).toBe('NO_REFERENCE_IMAGE');
    }, 60_000);

    it('lists: the system face blocklist exists, cannot be deleted; allowlists are created, renamed, deleted', async () => {
      const all = await client.lists.listLists({ entry_type: 'face' });
      const blocklist = all.results.find((l: { list_type: string }) => l.list_type === 'blocklist');
      expect(blocklist).toMatchObject({ entry_type: 'face', is_system: true });
      await expect(client.lists.deleteList(blocklist.uuid)).rejects.toThrow(/403/);
      await expect(client.lists.createList({ name: 'x', list_type: 'blocklist', entry_type: 'face' })).rejects.toThrow(/400/);
      const allow = await client.lists.createList({
        name: 'VIP customers',
        list_type: 'allowlist',
        entry_type: 'face',
        description: 'known',
      });
      expect(allow).toMatchObject({ name: 'VIP customers', list_type: 'allowlist', is_system: false });
      await expect(client.lists.createList({ name: 'VIP customers', list_type: 'allowlist', entry_type: 'face' })).rejects.toThrow(/409/);
      expect(await client.lists.updateList(allow.uuid, { name: 'VIP' })).toMatchObject({ name: 'VIP' });
      expect(await client.lists.getListDetail(allow.uuid)).toMatchObject({ uuid: allow.uuid, name: 'VIP' });
      const phones = await client.lists.createList({ name: 'bad phones', list_type: 'custom', entry_type: 'phone' });
      const entry = await client.lists.createEntry(phones.uuid, { value: '+34600000000', comment: 'fraud ring' });
      expect((await client.lists.listEntries(phones.uuid, { search: '600' })).results.map((e: { uuid: string }) => e.uuid)).toEqual([
        entry.uuid,
      ]);
      expect(await client.lists.deleteList(allow.uuid)).toEqual({ success: true });
      await expect(client.lists.getListDetail(allow.uuid)).rejects.toThrow(/404/);
    }, 60_000);

    it('a blocklisted face: face-search Declines with FACE_IN_BLOCKLIST; deleting the entry erases the face and clears it', async () => {
      const blocklist = (await client.lists.listLists({ list_type: 'blocklist', entry_type: 'face' })).results[0];
      const entry = await client.lists.uploadFaceEntry(blocklist.uuid, {
        image_path: PERSON_A_1,
        display_label: 'Known fraudster',
        comment: 'case 42',
      });
      expect(entry).toMatchObject({ list_uuid: blocklist.uuid, display_label: 'Known fraudster', value: null });
      const listed = await client.lists.listEntries(blocklist.uuid);
      expect(listed.count).toBe(1);
      expect(JSON.stringify(listed)).not.toMatch(/embedding|image/);

      const hit = await client.standalone.faceSearch(PERSON_A_2, { save_api_request: 'false' });
      expect(hit.face_search.status).toBe('Declined');
      expect(hit.face_search.warnings.map((w: { risk: string }) => w.risk)).toContain('FACE_IN_BLOCKLIST');
      // Other cases may have enrolled this person's face from a session: the list entry is the match that blocks.
      const listMatch = hit.face_search.matches.find((m: { source: string }) => m.source === 'list_entry');
      expect(listMatch).toMatchObject({ is_blocklisted: true, source: 'list_entry', entry_uuid: entry.uuid });
      expect(JSON.stringify(hit)).not.toMatch(/embedding/);

      const other = await client.standalone.faceSearch(BIDEN, { save_api_request: 'false' });
      expect(other.face_search.status).toBe('Approved');
      expect(other.face_search.warnings.map((w: { risk: string }) => w.risk)).not.toContain('FACE_IN_BLOCKLIST');

      expect(await client.lists.deleteEntry(blocklist.uuid, entry.uuid)).toEqual({ success: true });
      const rows = await server.storage.db.all('SELECT uuid FROM face_embeddings WHERE list_entry_uuid = $1', [entry.uuid]);
      expect(rows).toEqual([]);
      const after = await client.standalone.faceSearch(PERSON_A_2, { save_api_request: 'false' });
      expect(after.face_search.status).toBe('Approved');
    }, 120_000);

    it('save_api_request enrols: the same face under another vendor_data is a duplicate (Approved, warned); under the same one it is not', async () => {
      await client.standalone.faceMatch(PERSON_A_1, PERSON_A_2, { vendor_data: 'customer-1' });
      const duplicate = await client.standalone.faceSearch(PERSON_A_2, { vendor_data: 'customer-2', save_api_request: 'false' });
      expect(duplicate.face_search.status).toBe('Approved');
      expect(duplicate.face_search.warnings.map((w: { risk: string }) => w.risk)).toContain('DUPLICATED_FACE');
      expect(duplicate.face_search.matches[0]).toMatchObject({ vendor_data: 'customer-1', source: 'session', is_blocklisted: false });
      const same = await client.standalone.faceSearch(PERSON_A_2, { vendor_data: 'customer-1', save_api_request: 'false' });
      expect(same.face_search.warnings).toEqual([]);
      // Faces enrolled by face-search itself are not found by later searches (Didit's rule).
      await client.standalone.faceSearch(BIDEN, { vendor_data: 'customer-3' });
      const again = await client.standalone.faceSearch(BIDEN, { vendor_data: 'customer-4', save_api_request: 'false' });
      expect(again.face_search.warnings).toEqual([]);
    }, 120_000);

    it('passive liveness with save_api_request enrols the face (a later search finds it under its vendor_data); false does not', async () => {
      const checked = await client.standalone.passiveLiveness(OBAMA, { vendor_data: 'customer-p' });
      expect(checked.liveness.status).not.toBe('Declined');
      const found = await client.standalone.faceSearch(OBAMA_2, { vendor_data: 'customer-q', save_api_request: 'false' });
      // Two photos of one man years apart: a duplicate or a possible one, by the measured bands.
      expect(found.face_search.warnings.map((w: { risk: string }) => w.risk)).toEqual([
        expect.stringMatching(/^(POSSIBLE_)?DUPLICATED_FACE$/),
      ]);
      expect(found.face_search.matches.map((m: { vendor_data: string }) => m.vendor_data)).toContain('customer-p');
      await client.standalone.passiveLiveness(BIDEN, { vendor_data: 'customer-r', save_api_request: 'false' });
      const notFound = await client.standalone.faceSearch(BIDEN, { vendor_data: 'customer-s', save_api_request: 'false' });
      expect(notFound.face_search.matches.map((m: { vendor_data: string }) => m.vendor_data)).not.toContain('customer-r');
    }, 120_000);

    it('age-estimation: an age in years and the passive liveness check in one answer', async () => {
      const answer = await client.standalone.ageEstimation(OBAMA, { save_api_request: 'false' });
      expect(answer.liveness).toMatchObject({ method: 'PASSIVE', age_estimation: expect.any(Number), score: expect.any(Number) });
      expect(answer.liveness.age_estimation).toBeGreaterThan(30);
      expect(answer.liveness.age_estimation).toBeLessThan(75);
      const none = await client.standalone.ageEstimation(blank, { save_api_request: 'false' });
      expect(none.liveness).toMatchObject({ status: 'Declined', age_estimation: null });
      expect(none.liveness.warnings.map((w: { risk: string }) => w.risk)).toEqual(
        expect.arrayContaining(['NO_FACE_DETECTED', 'AGE_NOT_DETECTED']),
      );
    }, 60_000);

    it('bad input gets coded errors: no key, a PDF as a face, a broken base64 upload', async () => {
      const base = process.env.DIDIT_API_BASE_URL!;
      expect((await fetch(`${base}/lists/`)).status).toBe(401);
      const form = new FormData();
      form.append('user_image', new Blob([Buffer.from('%PDF-1.4\n')]), 'face.jpg');
      const pdf = await fetch(`${base}/face-search/`, { method: 'POST', headers: { 'x-api-key': 'K-faces' }, body: form });
      expect(pdf.status).toBe(400);
      expect((await pdf.json()).error.code).toMatch(/UNSUPPORTED_TYPE|CORRUPT_IMAGE/);
      const blocklist = (await client.lists.listLists({ list_type: 'blocklist' })).results[0];
      const broken = await fetch(`${base}/lists/${blocklist.uuid}/entries/face-upload/`, {
        method: 'POST',
        headers: { 'x-api-key': 'K-faces', 'content-type': 'application/json' },
        body: JSON.stringify({ image: '***' }),
      });
      expect(broken.status).toBe(400);
    }, 60_000);
  },
);
