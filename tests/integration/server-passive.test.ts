// POST /v3/passive-liveness/ on the kiosk's real engine (skipped, saying why, when the models are not built).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/server';
import { repoRoot } from '../../src/testkit/fault-support';

const fixtures = process.env.LIVENESS_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
const photo = join(fixtures, 'serengil__deepface/tests/unit/dataset/img10.jpg');
const ready = existsSync(resolve(repoRoot, 'models/manifest.json')) && existsSync(photo);

describe.skipIf(!ready)(`passive-liveness endpoint on the kiosk engine${ready ? '' : ' (SKIPPED: models/manifest.json or the fixtures are missing; run liveness build-models)'}`, () => {
  it('answers a real photo with the passive body, the same as `liveness check`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liveness-passive-'));
    const server = await createServer({ db: join(dir, 's.sqlite'), apiKey: 'K' });
    try {
      const base = await server.listen({ port: 0 });
      const form = new FormData();
      form.append('user_image', new Blob([new Uint8Array(readFileSync(photo))], { type: 'image/jpeg' }), 'img10.jpg');
      const response = await fetch(`${base}/v3/passive-liveness/`, { method: 'POST', headers: { 'x-api-key': 'K' }, body: form });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ method: 'PASSIVE', status: expect.stringMatching(/Approved|In Review|Declined/), request_id: expect.any(String) });
      expect(body.score).toBeGreaterThanOrEqual(0);
      expect(body.user_image.entities.length).toBeGreaterThanOrEqual(1);
      expect(await (await fetch(`${base}/metrics`, { headers: { 'x-api-key': 'K' } })).text()).toMatch(/liveness_passive_checks_total/);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
