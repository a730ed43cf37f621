// Fuzzed HTTP bodies and multipart uploads: every answer is a coded 4xx JSON error, never a 500 or a crash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { signedRequestHeaders } from '../../src/node/sync/evidence';
import { createServer, type LivenessServer } from '../../src/server';
import { makeResult, seededRandom, tinyJpeg } from '../../src/testkit/fault-support';
import { signedPost } from './server-contract';

const API_KEY = 'fuzz-key';
let dir: string;
let server: LivenessServer;
let base: string;
let store: DecisionStore;
let deviceId: string;
let engineCalls = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveness-fuzz-'));
  // The engine is not what is fuzzed here: every input below must be refused before it is reached.
  server = await createServer({
    db: join(dir, 'server.sqlite'),
    apiKey: API_KEY,
    enrolTokens: ['fuzz'],
    engineFactory: async () => ({
      analyzeImage: async () => {
        engineCalls++;
        throw new Error('the engine must not see fuzz');
      },
    }),
  });
  base = await server.listen({ port: 0 });
  store = openStore({ path: join(dir, 'kiosk.sqlite') });
  deviceId = await createSyncClient({ store, serverUrl: base, enrolToken: 'fuzz' }).enrol();
  store.recordDecision(makeResult('fz-1'));
});

afterAll(async () => {
  store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function expectCoded4xx(response: Response): Promise<string> {
  expect(response.status, `status ${response.status}`).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  const body = await response.json();
  expect(body.error).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
  return body.error.code;
}

function multipart(parts: { name: string; filename?: string; type?: string; data: Buffer | string }[]) {
  const form = new FormData();
  for (const part of parts) {
    const data = typeof part.data === 'string' ? part.data : new Uint8Array(part.data);
    if (part.filename) form.append(part.name, new Blob([data], { type: part.type ?? 'application/octet-stream' }), part.filename);
    else form.append(part.name, String(part.data));
  }
  return form;
}

const passive = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${base}/v3/passive-liveness/`, { method: 'POST', headers: { 'x-api-key': API_KEY, ...headers }, body });

describe('fuzzed kiosk batches', () => {
  it('random bytes, wrong content types, broken JSON and malformed batches answer coded 4xx', async () => {
    const random = seededRandom(7);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const valid = store.signedRecords([1])[0];
    const bodies: unknown[] = [
      null,
      42,
      'text',
      [],
      {},
      { records: [] },
      { records: 'x' },
      { records: [{}] },
      { records: [{ ...valid, hash: 'zz' }] },
      { records: [{ ...valid, record: { ...valid.record, seq: -1 } }] },
      { records: [{ ...valid, record: { ...valid.record, result: { nope: true } } }] },
      { records: [{ ...valid, image: 'x'.repeat(9_000_000) }] },
      { records: Array.from({ length: 101 }, () => valid) },
      { records: [{ ...valid, record: { ...valid.record, result: { ...valid.record.result, liveness_score: 'high' } } }] },
    ];
    for (const body of bodies) {
      const response = await signedPost(store, base, '/v1/decisions', body, deviceId);
      await expectCoded4xx(response);
    }
    for (let i = 0; i < 25; i++) {
      const raw = bytes(1 + Math.floor(random() * 3000));
      const type = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', ''][i % 5];
      const response = await fetch(`${base}/v1/decisions`, {
        method: 'POST',
        headers: type ? { 'content-type': type, 'x-device-id': deviceId, 'x-timestamp': String(Date.now()), 'x-signature': 'AAAA' } : {},
        body: raw,
      });
      await expectCoded4xx(response);
    }
    // Enrolment is refused unsigned on arrival; a signed one past the JSON limit is refused by size, both before the body is read.
    const hugeBody = JSON.stringify({ token: 'x'.repeat(2_000_000), public_key: 'y' });
    const unsignedHuge = await fetch(`${base}/v1/devices/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: hugeBody,
    });
    expect(await expectCoded4xx(unsignedHuge)).toBe('UNAUTHORIZED');
    const enrolHeaders = signedRequestHeaders((m) => store.identity.sign(m), {
      method: 'POST',
      path: '/v1/devices/enrol',
      body: hugeBody,
      deviceId: 'enrolling',
    });
    const huge = await fetch(`${base}/v1/devices/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...enrolHeaders },
      body: hugeBody,
    });
    expect(await expectCoded4xx(huge)).toBe('FILE_TOO_LARGE');
    const review = await fetch(`${base}/v1/review/fz-1`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: '{"decision":',
    });
    expect(await expectCoded4xx(review)).toBe('INVALID_PAYLOAD');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('fuzzed passive-liveness uploads', () => {
  it('a 6 MB file, a PDF, a wrong field, random bytes, no file, wrong types: coded 4xx before the engine', async () => {
    const random = seededRandom(11);
    const jpegHead = tinyJpeg(1);
    const sixMb = Buffer.concat([jpegHead, Buffer.alloc(6 * 1024 * 1024)]);
    const cases: [string, BodyInit, Record<string, string>?][] = [
      ['6 MB jpeg', multipart([{ name: 'user_image', filename: 'big.jpg', type: 'image/jpeg', data: sixMb }])],
      [
        'pdf named .jpg',
        multipart([{ name: 'user_image', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n') }]),
      ],
      ['pdf', multipart([{ name: 'user_image', filename: 'x.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.7\n') }])],
      ['empty file', multipart([{ name: 'user_image', filename: 'x.png', type: 'image/png', data: Buffer.alloc(0) }])],
      [
        'random bytes',
        multipart([
          { name: 'user_image', filename: 'x.webp', data: Buffer.from(Array.from({ length: 5000 }, () => Math.floor(random() * 256))) },
        ]),
      ],
      ['wrong field', multipart([{ name: 'image', filename: 'x.jpg', type: 'image/jpeg', data: jpegHead }])],
      [
        'two files',
        multipart([
          { name: 'user_image', filename: 'a.jpg', data: jpegHead },
          { name: 'user_image', filename: 'b.jpg', data: jpegHead },
        ]),
      ],
      ['gif extension', multipart([{ name: 'user_image', filename: 'x.gif', data: jpegHead }])],
      ['no file', multipart([{ name: 'vendor_data', data: 'abc' }])],
      [
        'huge field',
        multipart([
          { name: 'vendor_data', data: 'v'.repeat(200_000) },
          { name: 'user_image', filename: 'a.jpg', data: jpegHead },
        ]),
      ],
      [
        'bad threshold',
        multipart([
          { name: 'face_liveness_score_decline_threshold', data: '500' },
          { name: 'user_image', filename: 'a.jpg', data: jpegHead },
        ]),
      ],
      ['json body', JSON.stringify({ user_image: 'abc' }), { 'content-type': 'application/json' }],
      ['text body', 'hello', { 'content-type': 'text/plain' }],
      [
        'broken multipart',
        '--x\r\nContent-Disposition: form-data; name="user_image"; filename="a.jpg"\r\n\r\n\xff\xd8',
        { 'content-type': 'multipart/form-data; boundary=x' },
      ],
      ['no boundary', 'abc', { 'content-type': 'multipart/form-data' }],
    ];
    const codes: Record<string, string> = {};
    for (const [name, body, headers] of cases) {
      const response = await passive(body, headers ?? {});
      expect(response.status, name).toBeLessThan(500);
      codes[name] = await expectCoded4xx(response);
    }
    expect(codes['6 MB jpeg']).toBe('FILE_TOO_LARGE');
    expect(codes['pdf named .jpg']).toBe('UNSUPPORTED_TYPE');
    expect(codes['pdf']).toBe('UNSUPPORTED_TYPE');
    expect(codes['empty file']).toBe('FILE_EMPTY');
    expect(codes['gif extension']).toBe('UNSUPPORTED_TYPE');
    expect(engineCalls).toBe(0);
    const noKey = await fetch(`${base}/v3/passive-liveness/`, {
      method: 'POST',
      body: multipart([{ name: 'user_image', filename: 'a.jpg', data: jpegHead }]),
    });
    expect(await expectCoded4xx(noKey)).toBe('UNAUTHORIZED');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
