// Security review of the kiosk service's staff mode (real engine, store and settings file; the clock is moved):
// the documented default PIN opens nothing but the PIN change, concurrent guesses cannot slip past the lockout,
// and repeated lockouts grow longer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { DEFAULT_STAFF_PIN } from '../../src/node/kiosk/pin';

const context = { clientId: 'security-test' };
const NEW_PIN = '73914682';
const WRONG_PIN = '000000';

describe('kiosk staff mode under attack', () => {
  let dir: string;
  let kiosk: ComposedKiosk;
  let lockoutKiosk: ComposedKiosk;
  let clock = Date.now();
  const unlock = (pin: string) => kiosk.service.handle('staff.unlock', { pin }, context);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-security-kiosk-'));
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') }, { now: () => clock });
    // A second kiosk whose PIN was already changed, so the lockout tests do not depend on the first test.
    lockoutKiosk = await composeKiosk({ dbPath: join(dir, 'lockout.sqlite') }, { now: () => clock });
    const first = (await lockoutKiosk.service.handle('staff.unlock', { pin: DEFAULT_STAFF_PIN }, context)) as { ok: true; value: { token: string } };
    await lockoutKiosk.service.handle('staff.setPin', { token: first.value.token, newPin: NEW_PIN }, context);
  });

  afterAll(async () => {
    await kiosk?.close();
    await lockoutKiosk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the documented default PIN reads neither the queue nor recent decisions until it is changed', async () => {
    const unlocked = (await unlock(DEFAULT_STAFF_PIN)) as { ok: true; value: { token: string; mustChangePin: boolean } };
    expect(unlocked).toMatchObject({ ok: true, value: { mustChangePin: true } });
    const { token } = unlocked.value;
    expect(await kiosk.service.handle('queue.status', { token }, context)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await kiosk.service.handle('decisions.recent', { token, limit: 5 }, context)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await kiosk.service.handle('staff.setPin', { token, newPin: NEW_PIN }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('queue.status', { token }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('decisions.recent', { token, limit: 5 }, context)).toMatchObject({ ok: true });
  });

  const guess = (pin: string) => lockoutKiosk.service.handle('staff.unlock', { pin }, context);

  it('guesses sent all at once are checked one by one: the sixth is locked out even when it is the right PIN', async () => {
    const answers = await Promise.all([...Array.from({ length: 5 }, () => guess(WRONG_PIN)), guess(NEW_PIN)]);
    expect(answers.slice(0, 5).every((answer) => !answer.ok && answer.error.code === 'UNAUTHORIZED')).toBe(true);
    expect(answers[5]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    clock += 61_000;
    expect(await guess(NEW_PIN)).toMatchObject({ ok: true });
  });

  it('each further lockout lasts longer (60 s, then 120 s), and the right PIN resets it', async () => {
    for (let i = 0; i < 5; i++) await guess(WRONG_PIN);
    expect(await guess(NEW_PIN)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    clock += 61_000;
    for (let i = 0; i < 5; i++) await guess(WRONG_PIN);
    clock += 61_000;
    expect(await guess(NEW_PIN)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    clock += 60_000;
    expect(await guess(NEW_PIN)).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await guess(WRONG_PIN);
    clock += 61_000;
    expect(await guess(NEW_PIN)).toMatchObject({ ok: true });
  });
});
