// Pilot capture end to end: staff arm a recording in the browser kiosk (Chromium, fake camera playing a fixture
// clip), the flash session is sealed into a capture pack, and `liveness calibrate` pools it and prints its rates.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPack, readPackHeader, readPrivateKey } from '../../src/node/calibration/pack';
import { createLivenessSession } from '../../src/liveness/index';
import { parseLivenessConfig } from '../../src/shared/config';
import { CHROMIUM_MISSING, SKIP_REASON, collectErrors, launchChromium, screenshot, seriousViolations } from './helpers/browser';
import { FACE_CLIP, makeClip } from './helpers/clips';
import { ISSUED_STAFF_PIN, startKioskProcess, type KioskProcess } from './helpers/kiosk-process';
import { REPO_ROOT } from './helpers/paths';

if (CHROMIUM_MISSING) console.warn(`e2e pilot-capture suite ${SKIP_REASON}`);

const NEW_PIN = '97531864';
const CLI = resolve(REPO_ROOT, 'bin', 'liveness.mjs');

function liveness(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
}

describe.skipIf(CHROMIUM_MISSING)(
  `pilot capture in Chromium with a fake camera, then liveness calibrate${CHROMIUM_MISSING ? ` (${SKIP_REASON})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'liveness-e2e-pilot-'));
    const packs = join(dir, 'packs');
    let kiosk: KioskProcess;
    let browser: Browser;
    const errors: string[] = [];

    beforeAll(async () => {
      const keygen = liveness(['calibrate', 'keygen', '--out', dir]);
      expect(keygen.status, keygen.stderr).toBe(0);
      const clip = makeClip(FACE_CLIP);
      kiosk = await startKioskProcess({
        testSeed: true,
        extraArgs: ['--pack-recipient', join(dir, 'calibration.pub.pem'), '--site', 'e2e-branch', '--pack-dir', packs],
      });
      browser = await launchChromium(clip);
    });

    afterAll(async () => {
      await browser?.close();
      await kiosk?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('staff record a labelled flash session into a sealed pack the kiosk cannot read, and calibrate pools it', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      collectErrors(page, errors);
      const flashConfig = { liveness_mode: 'flash' as const, face_liveness_max_attempts: 1 };
      const testSeed = 'e2e-pilot-seed';
      const emitted = createLivenessSession(parseLivenessConfig(flashConfig), { seed: testSeed, sessionId: 'reference' }).plan.flash;
      await page.goto(`${kiosk.url}?${new URLSearchParams({ privacy: 'blur', config: JSON.stringify(flashConfig), testSeed })}`);

      // Staff mode (the staff keyboard shortcut; customers see no staff button): unlock with the PIN issued at
      // provisioning, replace it, then the pilot-capture form.
      await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
      await page.keyboard.press('Control+Shift+S');
      await page.getByLabel('Staff PIN').waitFor({ timeout: 10_000 });
      await page.getByLabel('Staff PIN').fill(ISSUED_STAFF_PIN);
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await page.getByLabel('New PIN (6 to 12 digits)').fill(NEW_PIN);
      await page.getByRole('button', { name: 'Change PIN', exact: true }).click();
      await page.getByRole('heading', { name: 'Pilot capture (calibration)' }).waitFor();
      const record = page.getByRole('button', { name: 'Record the next session', exact: true });
      await page.getByLabel('Genuine person').check();
      await page.getByLabel('Subject code (never a name)').fill('P001');
      // Without the filmed person's consent nothing can be armed.
      expect(await record.isDisabled()).toBe(true);
      await page.getByLabel('The person being filmed has agreed to be recorded for calibration.').check();
      await screenshot(page, '15-staff-pilot-capture');
      expect(await seriousViolations(page)).toEqual([]);
      await record.click();

      // The person's own consent screen still comes first; then the flash session runs as usual.
      await page.getByRole('button', { name: 'I agree', exact: true }).click();
      const status = page.getByRole('status');
      await status.waitFor({ timeout: 120_000 });
      await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/Approved|Declined|In Review/);
      await screenshot(page, '16-pilot-capture-result');
      await context.close();

      // One pack, sealed: the cleartext header names the site and key, the body opens only with the private key.
      await expect.poll(() => readdirSync(packs).filter((f) => f.endsWith('.lcp')).length, { timeout: 30_000 }).toBe(1);
      const file = join(
        packs,
        readdirSync(packs).find((f) => f.endsWith('.lcp'))!,
      );
      const bytes = readFileSync(file);
      expect(readPackHeader(bytes).header).toMatchObject({ site_id: 'e2e-branch', cipher: 'X25519-HKDF-SHA256-AES-256-GCM' });
      const { manifest, jpegs } = openPack(bytes, readPrivateKey(readFileSync(join(dir, 'calibration.key.pem'), 'utf8')));
      expect(manifest).toMatchObject({ label: 'genuine', subject_ref: 'P001', site_id: 'e2e-branch', session: { mode: 'flash' } });
      // The sequence as the screen was asked to show it; the flash start and the camera's lock state are recorded
      // together when the flash begins (under heavy load the attempt may end in positioning, before any flash).
      expect(manifest.session.flash_sequence).toEqual(emitted);
      expect(manifest.camera === null).toBe(manifest.session.flash_start_ms === null);
      expect(manifest.frames.length).toBeGreaterThan(3);
      expect(jpegs[0].subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
      expect(manifest.frames[1].timestamp_ms).toBeGreaterThan(manifest.frames[0].timestamp_ms);
      // Chromium's fake camera offers no exposure or white-balance control: never recorded as locked.
      expect(manifest.camera?.exposure_locked ?? false).toBe(false);
      expect(manifest.session.result.status).toBe(manifest.session.status);

      // liveness calibrate on the recorded pack.
      const profile = join(dir, 'site-profile.json');
      const result = liveness(['calibrate', '--key', join(dir, 'calibration.key.pem'), packs, '--profile', profile, '--json']);
      expect(result.status, result.stderr + result.stdout).toBe(0);
      expect(result.stdout).toMatch(/1 attempts \(genuine 1\) from 1 subjects at 1 site\(s\): e2e-branch/);
      expect(result.stdout).toMatch(/0 locked, [01] not locked, [01] not reported/);
      const lines = result.stdout.trim().split('\n');
      const report = JSON.parse(lines[lines.length - 1]);
      expect(report.current.rates.bpcer).toMatchObject({ attempts: 1, subjects: 1 });
      expect(report.current.rates.bpcer.method).toMatch(/wilson|rule_of_three/);
      expect(report.attempts[0]).toMatchObject({ label: 'genuine', mode: 'flash', siteId: 'e2e-branch' });
      const written = JSON.parse(readFileSync(profile, 'utf8'));
      expect(written).toMatchObject({ format: 'liveness-site-profile', sites: ['e2e-branch'], evidence: { packs: 1 } });
      // With no attack attempt, the flash constants cannot be refit and the profile says why.
      expect(written.constants.find((c: { name: string }) => c.name === 'flashVariationFlat')).toMatchObject({ refit: false });
      expect(errors).toEqual([]);
    });
  },
);
