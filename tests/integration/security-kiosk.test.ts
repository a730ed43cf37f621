// Issue 9, kiosk side (real engine, store and state file; the clock is moved). Each test names the reproduction
// it closes: the default PIN, the threshold set to 0 on the kiosk, one connection locking out every other, the
// lockout reset by a restart, a second connection ending the person's session, and workflows that do not verify.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { MAX_WRONG_PINS_PER_CONNECTION, MAX_WRONG_PINS_PER_KIOSK } from '../../src/node/kiosk/staff-auth';
import { makeProvisioning, makeWorkflowSigner, type TestSigner } from '../../src/testkit/kiosk-provisioning';
import { CONSENT_VERSION } from '../../src/shared/ipc-contract';

const STAFF = { clientId: 'staff-screen' };
const CUSTOMER = { clientId: 'customer-connection' };
const PIN = '73914682';
const WRONG_PIN = '000000';
const README_DEFAULT_PIN = '246810';

describe('kiosk doors (issue 9)', () => {
  // Each test gets its own kiosk (state file, store, clock): none depends on what an earlier one left behind.
  let dir: string;
  let kiosk: ComposedKiosk;
  let signer: TestSigner;
  let clock: number;
  const unlock = (pin: string, context = STAFF) => kiosk.service.handle('staff.unlock', { pin }, context);
  const reopen = async () => {
    await kiosk.close();
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') }, { now: () => clock });
  };
  /** Provision the kiosk from the central service: staff PIN, an active-mode workflow at threshold 80. */
  const provision = async () => {
    const made = await makeProvisioning(PIN, { liveness: { liveness_threshold: 80, liveness_mode: 'active' } });
    signer = made.signer;
    kiosk.provision(made.provisioning);
  };

  beforeEach(async () => {
    clock = Date.now();
    dir = mkdtempSync(join(tmpdir(), 'liveness-security-kiosk-'));
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') }, { now: () => clock });
  });

  afterEach(async () => {
    await kiosk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reproduction 'default PIN then threshold 0': an unprovisioned kiosk has no PIN at all, the README's old one included", async () => {
    for (const pin of [README_DEFAULT_PIN, '123456', '000000']) {
      expect(await unlock(pin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    const state = JSON.parse(readFileSync(join(dir, 'kiosk-config.json'), 'utf8')) as { staffPinHash: unknown };
    expect(state.staffPinHash).toBeNull();
  });

  it('provisioning from the central service issues the staff PIN; staff can raise assurance but not lower it', async () => {
    await provision();
    const unlocked = (await unlock(PIN)) as { ok: true; value: { token: string } };
    expect(unlocked.ok).toBe(true);
    const { token } = unlocked.value;
    const set = (liveness: object) => kiosk.service.handle('config.set', { token, patch: { liveness } }, STAFF);
    expect(await kiosk.service.handle('config.get', {}, STAFF)).toMatchObject({
      ok: true,
      value: { liveness: { liveness_threshold: 80, liveness_mode: 'active' } },
    });
    for (const lowering of [
      { liveness_threshold: 0 },
      { liveness_threshold: 79 },
      { liveness_mode: 'passive' },
      { liveness_challenges: ['smile'] },
      { challenge_timeout_s: 20 },
      { no_flash: true },
    ]) {
      expect(await set(lowering)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // The provisioning's workflow asked for 3 attempts by default; fewer is stricter.
    expect(await set({ liveness_threshold: 90, face_liveness_max_attempts: 2 })).toMatchObject({
      ok: true,
      value: { liveness: { liveness_threshold: 90 } },
    });
    expect(await set({ liveness_threshold: 80 })).toMatchObject({ ok: true });
    expect(await set({ liveness_mode: 'action_flash' })).toMatchObject({ ok: true });
    await kiosk.service.handle('staff.lock', { token }, STAFF);
  });

  it('a lower threshold arrives only as a signed workflow: a forged, re-keyed or rolled-back one is refused and the last good one stays', async () => {
    await provision();
    const forger = makeWorkflowSigner();
    const base = { workflow_id: 'branch-default', issued_at: new Date().toISOString() };
    expect(() => kiosk.applyWorkflow(forger.sign({ ...base, version: 2, settings: { liveness_threshold: 0 } }))).toThrow(
      /not provisioned with/,
    );
    const genuine = signer.sign({ ...base, version: 2, settings: { liveness_threshold: 60 } });
    const tampered = { ...genuine, payload: { ...genuine.payload, settings: { ...genuine.payload.settings, liveness_threshold: 0 } } };
    expect(() => kiosk.applyWorkflow(tampered)).toThrow(/does not verify/);
    expect(() => kiosk.applyWorkflow({ ...genuine, signature: forger.sign({ ...base, version: 2, settings: {} }).signature })).toThrow(
      /does not verify/,
    );
    expect(kiosk.applyWorkflow(genuine).payload.version).toBe(2);
    expect(() => kiosk.applyWorkflow(signer.sign({ ...base, version: 1, settings: { liveness_threshold: 10 } }))).toThrow(/older/);
    const state = JSON.parse(readFileSync(join(dir, 'kiosk-config.json'), 'utf8')) as {
      settings: { liveness: { liveness_threshold: number } };
      workflow: { payload: { version: number } };
    };
    expect(state.settings.liveness.liveness_threshold).toBe(60);
    expect(state.workflow.payload.version).toBe(2);
  });

  it("reproduction 'five wrong PINs from one connection lock out every other': the customer's connection locks, staff's does not", async () => {
    await provision();
    for (let i = 0; i < MAX_WRONG_PINS_PER_CONNECTION; i++)
      expect(await unlock(WRONG_PIN, CUSTOMER)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await unlock(PIN, CUSTOMER)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: true });
  });

  it('guesses sent all at once on one connection are checked one by one: the sixth is locked out even when right', async () => {
    await provision();
    const context = { clientId: 'burst' };
    const answers = await Promise.all([
      ...Array.from({ length: MAX_WRONG_PINS_PER_CONNECTION }, () => unlock(WRONG_PIN, context)),
      unlock(PIN, context),
    ]);
    expect(answers.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await kiosk.service.disconnect('burst');
  });

  it("reproduction 'the lockout lives in memory only': the kiosk-wide lockout survives a restart, and a new provisioning lifts it", async () => {
    await provision();
    for (let i = 0; i < MAX_WRONG_PINS_PER_KIOSK; i++) await unlock(WRONG_PIN, { clientId: `guesser-${i % 4}` });
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await reopen();
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Lockouts are capped: waiting always ends one (a customer cannot lock staff out forever).
    clock += 61_000;
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: true });
    for (let i = 0; i < MAX_WRONG_PINS_PER_KIOSK; i++) await unlock(WRONG_PIN, { clientId: `guesser-${i % 4}` });
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    kiosk.provision((await makeProvisioning(PIN, { signer, version: 3 })).provisioning);
    expect(await unlock(PIN, STAFF)).toMatchObject({ ok: true });
  });

  it("reproduction 'a second connection's session.start ends the person's session': it gets CONFLICT and nothing is recorded", async () => {
    await provision();
    const person = { clientId: 'kiosk-page' };
    const plan = (await kiosk.service.handle('session.start', {}, person)) as { ok: true; value: { sessionId: string } };
    expect(plan.ok).toBe(true);
    expect(
      await kiosk.service.handle(
        'session.consent',
        { sessionId: plan.value.sessionId, accepted: true, consentVersion: CONSENT_VERSION },
        person,
      ),
    ).toMatchObject({ ok: true });
    const token = ((await unlock(PIN, STAFF)) as { ok: true; value: { token: string } }).value.token;
    const before = ((await kiosk.service.handle('queue.status', { token }, STAFF)) as { ok: true; value: { total: number } }).value.total;
    expect(await kiosk.service.handle('session.start', {}, { clientId: 'intruder' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await kiosk.service.handle('session.abandon', { sessionId: plan.value.sessionId }, { clientId: 'intruder' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const after = ((await kiosk.service.handle('queue.status', { token }, STAFF)) as { ok: true; value: { total: number } }).value.total;
    expect(after).toBe(before);
    // The owner itself may start over; a session left idle by a hung page can be taken over after a while.
    const again = (await kiosk.service.handle('session.start', {}, person)) as { ok: true; value: { sessionId: string } };
    await kiosk.service.handle(
      'session.consent',
      { sessionId: again.value.sessionId, accepted: true, consentVersion: CONSENT_VERSION },
      person,
    );
    expect(await kiosk.service.handle('session.start', {}, { clientId: 'next-screen' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    clock += 121_000;
    expect(await kiosk.service.handle('session.start', {}, { clientId: 'next-screen' })).toMatchObject({ ok: true });
    await kiosk.service.disconnect('next-screen');
  });
});
