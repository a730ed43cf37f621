// What the journey and the staff panel read from the kiosk service: the privacy facts the consent screen is built
// from, the sync status in categories (never raw error text), the staff action audit, and the measured default mode.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, IMAGE_RETENTION_DAYS, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { makeProvisioning } from '../../src/testkit/kiosk-provisioning';
import { KIOSK_DEFAULT_MODE } from '../../src/node/kiosk/settings-file';

const context = { clientId: 'staff-panel-test' };
/** The one-time PIN the test's stand-in for the central service issues (a kiosk has no default PIN). */
const ISSUED_PIN = '64207519';
/** Nothing listens on the discard port: the sync is offline, as a field kiosk often is. */
const OFFLINE_SERVER = 'http://127.0.0.1:9';

describe('kiosk service: consent facts, sync status, staff audit', () => {
  let dir: string;
  let kiosk: ComposedKiosk;
  let standalone: ComposedKiosk;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-staff-panel-'));
    kiosk = await composeKiosk(
      { dbPath: join(dir, 'kiosk.sqlite'), configPath: join(dir, 'kiosk-config.json') },
      { sync: { serverUrl: OFFLINE_SERVER, idleMs: 200 } },
    );
    kiosk.provision((await makeProvisioning(ISSUED_PIN, { pinMustChange: true })).provisioning);
    // Its own config file: two kiosks sharing one would share settings.
    standalone = await composeKiosk({ dbPath: join(dir, 'standalone.sqlite'), configPath: join(dir, 'standalone-config.json') });
  });

  afterAll(async () => {
    await Promise.all([kiosk?.close(), standalone?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('privacy.get states the retention the purge applies and the server data is sent to (none when standalone)', async () => {
    expect(await kiosk.service.handle('privacy.get', {}, context)).toEqual({
      ok: true,
      value: { imageRetentionDays: IMAGE_RETENTION_DAYS, syncServer: '127.0.0.1:9' },
    });
    expect(await standalone.service.handle('privacy.get', {}, context)).toEqual({
      ok: true,
      value: { imageRetentionDays: IMAGE_RETENTION_DAYS, syncServer: null },
    });
  });

  it('a new kiosk starts in the measured default mode', async () => {
    const config = await standalone.service.handle('config.get', {}, context);
    expect(config).toMatchObject({ ok: true, value: { liveness: { liveness_mode: KIOSK_DEFAULT_MODE } } });
  });

  it('sync.status needs staff, then says "offline" as a category with no raw error text; the audit lists staff actions newest first', async () => {
    expect(await kiosk.service.handle('sync.status', { token: 'f'.repeat(64) }, context)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(await kiosk.service.handle('staff.unlock', { pin: '000000' }, context)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const unlocked = (await kiosk.service.handle('staff.unlock', { pin: ISSUED_PIN }, context)) as { ok: true; value: { token: string } };
    const token = unlocked.value.token;
    // Until the default PIN is replaced, staff mode shows nothing else.
    expect(await kiosk.service.handle('staff.audit', { token }, context)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await kiosk.service.handle('staff.setPin', { token, newPin: '97531864' }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('config.set', { token, patch: { liveness: { liveness_threshold: 81 } } }, context)).toMatchObject({
      ok: true,
    });

    await expect
      .poll(
        async () =>
          ((await kiosk.service.handle('sync.status', { token }, context)) as { value: { lastProblem: string | null } }).value.lastProblem,
        { timeout: 20_000 },
      )
      .toBe('offline');
    const status = (await kiosk.service.handle('sync.status', { token }, context)) as { ok: true; value: Record<string, unknown> };
    expect(status.value).toMatchObject({ server: '127.0.0.1:9', lastSuccessAt: null, lastProblem: 'offline' });
    expect(Object.keys(status.value).sort()).toEqual(['lastProblem', 'lastProblemAt', 'lastSuccessAt', 'server']);

    const audit = (await kiosk.service.handle('staff.audit', { token, limit: 10 }, context)) as {
      ok: true;
      value: { action: string; fields?: string[] }[];
    };
    expect(audit.value.map((entry) => entry.action)).toEqual(['settings_changed', 'pin_changed', 'unlock', 'wrong_pin']);
    expect(audit.value[0].fields).toEqual(['liveness_threshold']);
    // Kept in the settings file, so a restart keeps it; never a PIN in it.
    const persisted = readFileSync(join(dir, 'kiosk-config.json'), 'utf8');
    expect(persisted).toContain('"settings_changed"');
    expect(persisted).not.toContain('97531864');
    expect((await kiosk.service.handle('staff.lock', { token }, context)).ok).toBe(true);
  });
});
