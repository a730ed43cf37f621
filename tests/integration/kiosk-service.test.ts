// The kiosk service behind the IPC contract, with the real engine, decision core, SQLite store and settings file:
// consent before frames, test-only hooks refused in production, staff PIN rules, coded errors for bad payloads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { makeProvisioning } from '../../src/testkit/kiosk-provisioning';
import { CONSENT_VERSION } from '../../src/shared/ipc-contract';

const FIXTURES = process.env.LIVENESS_FIXTURES ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const context = { clientId: 'test-client' };
const ISSUED_PIN = '58203917';

describe('kiosk service (real engine, core, store)', () => {
  let dir: string;
  let kiosk: ComposedKiosk;
  let jpeg: Uint8Array;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-kiosk-service-'));
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') }, { allowTestSeed: false });
    jpeg = new Uint8Array(readFileSync(join(FIXTURES, 'ageitgey__face_recognition/examples/obama.jpg')));
  });

  afterAll(async () => {
    await kiosk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses frames before consent, then analyses them once consent is recorded', async () => {
    const started = await kiosk.service.handle('session.start', {}, context);
    expect(started.ok).toBe(true);
    const sessionId = (started as { value: { sessionId: string } }).value.sessionId;
    const early = await kiosk.service.handle('session.frame', { sessionId, timestampMs: 0, jpeg }, context);
    expect(early).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await kiosk.service.handle('session.consent', { sessionId, accepted: true, consentVersion: CONSENT_VERSION }, context),
    ).toMatchObject({ ok: true });
    const update = await kiosk.service.handle('session.frame', { sessionId, timestampMs: 10, jpeg }, context);
    expect(update).toMatchObject({ ok: true, value: { sessionId, phase: expect.any(String) } });
    // Another client cannot drive this session.
    expect(await kiosk.service.handle('session.frame', { sessionId, timestampMs: 20, jpeg }, { clientId: 'intruder' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await kiosk.service.handle('session.abandon', { sessionId }, context)).toMatchObject({ ok: true });
  });

  it('refuses a test seed and liveness overrides from a production kiosk, but allows the no-flash path', async () => {
    expect(await kiosk.service.handle('session.start', { testSeed: 'x' }, context)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await kiosk.service.handle('session.start', { config: { liveness_mode: 'passive' } }, context)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await kiosk.service.handle('session.start', { config: { no_flash: true } }, context)).toMatchObject({ ok: true });
  });

  it('answers malformed payloads and unknown channels with coded errors', async () => {
    expect(await kiosk.service.handle('session.frame', { sessionId: 's', timestampMs: 0, jpeg: 'base64==' }, context)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await kiosk.service.handle('session.start', { extra: true }, context)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await kiosk.service.handle('nope', {}, context)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('staff: the one-time PIN issued at provisioning must be changed before config.set; the new PIN is stored hashed only', async () => {
    expect(await kiosk.service.handle('staff.unlock', { pin: ISSUED_PIN }, context)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    kiosk.provision((await makeProvisioning(ISSUED_PIN, { pinMustChange: true })).provisioning);
    expect(await kiosk.service.handle('staff.unlock', { pin: '999999' }, context)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const unlocked = (await kiosk.service.handle('staff.unlock', { pin: ISSUED_PIN }, context)) as {
      ok: true;
      value: { token: string; mustChangePin: boolean };
    };
    expect(unlocked).toMatchObject({ ok: true, value: { mustChangePin: true } });
    const token = unlocked.value.token;
    expect(await kiosk.service.handle('config.set', { token, patch: { liveness: { liveness_threshold: 85 } } }, context)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await kiosk.service.handle('staff.setPin', { token, newPin: '12' }, context)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await kiosk.service.handle('staff.setPin', { token, newPin: '86420975' }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('config.set', { token, patch: { liveness: { liveness_threshold: 85 } } }, context)).toMatchObject({
      ok: true,
      value: { liveness: { liveness_threshold: 85 } },
    });
    const persisted = readFileSync(join(dir, 'kiosk-config.json'), 'utf8');
    expect(persisted).not.toContain('86420975');
    expect(persisted).not.toContain(ISSUED_PIN);
    expect(await kiosk.service.handle('queue.status', { token }, context)).toMatchObject({
      ok: true,
      value: { total: expect.any(Number) },
    });
    expect(await kiosk.service.handle('staff.lock', { token }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('queue.status', { token }, context)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('locks staff unlock out after repeated wrong PINs', async () => {
    for (let i = 0; i < 5; i++) await kiosk.service.handle('staff.unlock', { pin: '000000' }, context);
    expect(await kiosk.service.handle('staff.unlock', { pin: '86420975' }, context)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
  });
});
