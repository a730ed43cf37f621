// Issue 9, reproduction 'Injection': nothing stopped a virtual camera or a recorded stream fed to the kiosk as if it
// were the camera. Real fixture clips (decoded by ffmpeg, JPEG as the renderer sends them), the real engine, decision
// core, store and state file. Each stream check is shown on a clip played straight (passes) and the same clip
// frozen, looped, with its sensor noise removed, on a synthetic clock, or switched to another size (each caught).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamIntegrity, type InjectionCheck } from '../../src/liveness/stream-integrity';
import { streamSampleFromJpeg } from '../../src/node/kiosk/camera-stream';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { CONSENT_VERSION } from '../../src/shared/ipc-contract';
import type { LivenessResult } from '../../src/shared/result';
import { clipFrames, exactClock, frozen, looped, resized, stillBackground, type ClipFrame } from '../../src/testkit/camera-streams';
import { makeProvisioning } from '../../src/testkit/kiosk-provisioning';
import { fixturesDir, repoRoot } from '../../src/testkit/fixtures';

const CLIPS = ['Krzysiek354__Python_Face_Detection/videos/real.mp4', 'repeating__Blink-Detector/video.mp4'];
const ready = existsSync(resolve(repoRoot, 'models/faceres.onnx')) && CLIPS.every((clip) => existsSync(join(fixturesDir, clip)));

async function checksOf(frames: ClipFrame[]): Promise<InjectionCheck[]> {
  const integrity = new StreamIntegrity();
  for (const frame of frames) integrity.push(await streamSampleFromJpeg(frame.jpeg, frame.timestampMs));
  return integrity.verdict().suspected;
}

describe.skipIf(!ready)("reproduction 'Injection': stream checks on real fixture clips", () => {
  const decoded = new Map<string, ClipFrame[]>();
  beforeAll(() => {
    for (const clip of CLIPS) decoded.set(clip, clipFrames(join(fixturesDir, clip), { startS: 1, durationS: 5 }));
  });

  it.each(CLIPS)('%s played straight: no check fails', async (clip) => {
    expect(await checksOf(decoded.get(clip)!)).toEqual([]);
  });

  it.each(CLIPS)('%s frozen on its first frame: frozen', async (clip) => {
    expect(await checksOf(frozen(decoded.get(clip)!))).toContain('frozen');
  });

  it.each(CLIPS)('%s looped every second: looped (and nothing else)', async (clip) => {
    const frames = decoded.get(clip)!;
    const perSecond = frames.filter((frame) => frame.timestampMs < 1000).length;
    expect(await checksOf(looped(frames, perSecond))).toEqual(['looped']);
  });

  it.each(CLIPS)('%s with its sensor noise removed (the face composited on a still background): no_sensor_noise', async (clip) => {
    expect(await checksOf(await stillBackground(decoded.get(clip)!))).toEqual(['no_sensor_noise']);
  });

  it.each(CLIPS)('%s on an exact synthetic clock: timing_too_regular', async (clip) => {
    expect(await checksOf(exactClock(decoded.get(clip)!, 1000 / 15))).toEqual(['timing_too_regular']);
  });

  it.each(CLIPS)('%s switched to another resolution halfway: resolution_changed', async (clip) => {
    expect(await checksOf(await resized(decoded.get(clip)!, 480, 360))).toEqual(['resolution_changed']);
  });
});

describe.skipIf(!ready)("reproduction 'Injection': the kiosk's decision path and camera channels", () => {
  const context = { clientId: 'injection-test' };
  const PIN = '61829374';
  let dir: string;
  let testKiosk: ComposedKiosk;
  let production: ComposedKiosk;
  let frames: ClipFrame[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-injection-'));
    // A test host (passive mode on request) for the decision path; a provisioned production kiosk for the camera.
    testKiosk = await composeKiosk({ dbPath: join(dir, 'test.sqlite') }, { allowTestSeed: true });
    production = await composeKiosk({ dbPath: join(dir, 'prod.sqlite') });
    production.provision((await makeProvisioning(PIN, { pinMustChange: false })).provisioning);
    frames = clipFrames(join(fixturesDir, CLIPS[0]), { startS: 1, durationS: 5 });
  }, 300_000);

  afterAll(async () => {
    await testKiosk?.close();
    await production?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function passiveSession(stream: ClipFrame[]): Promise<LivenessResult> {
    const started = (await testKiosk.service.handle(
      'session.start',
      { config: { liveness_mode: 'passive', face_liveness_max_attempts: 3 } },
      context,
    )) as { ok: true; value: { sessionId: string } };
    const { sessionId } = started.value;
    await testKiosk.service.handle('session.consent', { sessionId, accepted: true, consentVersion: CONSENT_VERSION }, context);
    for (const frame of stream) {
      const update = (await testKiosk.service.handle(
        'session.frame',
        { sessionId, timestampMs: frame.timestampMs, jpeg: frame.jpeg },
        context,
      )) as { ok: boolean; value?: { done: boolean } };
      if (!update.ok || update.value?.done) break;
    }
    const finished = (await testKiosk.service.handle('session.finish', { sessionId }, context)) as {
      ok: true;
      value: { result: LivenessResult; canRetry: boolean };
    };
    expect(finished.ok).toBe(true);
    return { ...finished.value.result, retry_allowed: finished.value.canRetry };
  }

  it('the clip played straight is decided on its merits (no INJECTION_SUSPECTED)', async () => {
    const result = await passiveSession(frames);
    expect(result.warnings).not.toContain('INJECTION_SUSPECTED');
    expect(result.score_details).toMatchObject({ injection_checks: '', injection_frames: expect.any(Number) });
  });

  it('the same clip frozen goes to In Review with INJECTION_SUSPECTED, no retry, and the failed check named', async () => {
    const result = await passiveSession(frozen(frames));
    expect(result.warnings).toContain('INJECTION_SUSPECTED');
    expect(['In Review', 'Declined']).toContain(result.status);
    expect(result.status).not.toBe('Approved');
    expect(result.retry_allowed).toBe(false);
    expect(String(result.score_details?.injection_checks)).toContain('frozen');
  });

  it('the same clip looped every 400 ms is never Approved', async () => {
    const perLoop = frames.filter((frame) => frame.timestampMs < 400).length;
    const result = await passiveSession(looped(frames, perLoop));
    expect(result.warnings).toContain('INJECTION_SUSPECTED');
    expect(result.status).not.toBe('Approved');
    expect(String(result.score_details?.injection_checks)).toContain('looped');
  });

  it("production mode refuses Chromium's fake device and virtual cameras; a test host accepts the fake device", async () => {
    const check = (kiosk: ComposedKiosk, label: string, deviceId = 'dev-1') =>
      kiosk.service.handle('camera.check', { deviceId, label, groupId: 'g' }, context);
    expect(await production.service.handle('camera.status', {}, context)).toMatchObject({
      ok: true,
      value: { production: true, pinned: null },
    });
    expect(await check(production, 'fake_device_0')).toMatchObject({ ok: true, value: { allowed: false, reason: 'FAKE_CAMERA' } });
    expect(await check(production, 'OBS Virtual Camera')).toMatchObject({
      ok: true,
      value: { allowed: false, reason: 'VIRTUAL_CAMERA', match: 'obs' },
    });
    expect(await check(production, 'Dummy video device (0x0000)')).toMatchObject({
      ok: true,
      value: { allowed: false, reason: 'VIRTUAL_CAMERA', match: 'v4l2loopback' },
    });
    expect(await check(production, 'HD Pro Webcam C920 (046d:082d)')).toMatchObject({ ok: true, value: { allowed: true } });
    expect(await testKiosk.service.handle('camera.status', {}, context)).toMatchObject({ ok: true, value: { production: false } });
    expect(await check(testKiosk, 'fake_device_0')).toMatchObject({ ok: true, value: { allowed: true } });
  });

  it('staff pin the camera through the staff-authenticated channel; another device is then refused until re-pinned', async () => {
    const webcam = { deviceId: 'dev-c920', label: 'HD Pro Webcam C920 (046d:082d)', groupId: 'group-c920' };
    const other = { deviceId: 'dev-brio', label: 'Logitech BRIO (046d:085e)', groupId: 'group-brio' };
    // No token, a wrong token: refused with codes; nothing pinned.
    expect(await production.service.handle('camera.pin', { camera: webcam }, context)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await production.service.handle('camera.pin', { token: 'a'.repeat(64), camera: webcam }, context)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const unlocked = (await production.service.handle('staff.unlock', { pin: PIN }, context)) as { ok: true; value: { token: string } };
    const { token } = unlocked.value;
    // A virtual camera or the fake device cannot be pinned in production.
    expect(
      await production.service.handle('camera.pin', { token, camera: { ...webcam, label: 'ManyCam Virtual Webcam' } }, context),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await production.service.handle('camera.pin', { token, camera: { ...webcam, label: 'fake_device_0' } }, context)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await production.service.handle('camera.pin', { token, camera: webcam }, context)).toMatchObject({
      ok: true,
      value: { deviceId: webcam.deviceId, label: webcam.label, groupId: webcam.groupId },
    });
    expect(await production.service.handle('camera.status', {}, context)).toMatchObject({
      ok: true,
      value: { pinned: { deviceId: webcam.deviceId, label: webcam.label } },
    });
    expect(await production.service.handle('camera.check', webcam, context)).toMatchObject({ ok: true, value: { allowed: true } });
    expect(await production.service.handle('camera.check', other, context)).toMatchObject({
      ok: true,
      value: { allowed: false, reason: 'NOT_PINNED_CAMERA' },
    });
    // The pin survives a restart (it is in the state file) and the staff audit records the re-pin.
    expect(await production.service.handle('staff.audit', { token, limit: 5 }, context)).toMatchObject({
      ok: true,
      value: expect.arrayContaining([expect.objectContaining({ action: 'camera_pinned' })]),
    });
    expect(await production.service.handle('camera.pin', { token, camera: other }, context)).toMatchObject({ ok: true });
    expect(await production.service.handle('camera.check', other, context)).toMatchObject({ ok: true, value: { allowed: true } });
    expect(await production.service.handle('camera.check', webcam, context)).toMatchObject({
      ok: true,
      value: { allowed: false, reason: 'NOT_PINNED_CAMERA' },
    });
  });
});
