// The deployment's camera permission: Chromium's managed policy (docs/deploy/linux/chromium-policy.json) grants the
// camera to the kiosk page, so no prompt appears that a customer could refuse. Chromium is launched WITHOUT the
// prompt-suppressing flag the other suites use: without the policy the camera is refused, with it the camera starts.
// Chromium on Linux reads policies only from /etc/chromium/policies/managed, so this needs to write there (root);
// the test writes only the camera rule for its own ephemeral origin, and removes it afterwards.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, CHROMIUM_PATH } from './helpers/browser';
import { FACE_CLIP, makeClip } from './helpers/clips';
import { startKioskProcess, type KioskProcess } from './helpers/kiosk-process';
import { REPO_ROOT } from './helpers/paths';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = join(POLICY_DIR, 'liveness-kiosk-e2e.json');

function policyDirWritable(): boolean {
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
    accessSync(POLICY_DIR, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const SKIP = CHROMIUM_MISSING
  ? `no Chromium at ${CHROMIUM_PATH}`
  : !policyDirWritable()
    ? `${POLICY_DIR} is not writable (run as root)`
    : null;
if (SKIP) console.warn(`e2e kiosk deployment policy test skipped: ${SKIP}`);

describe.skipIf(SKIP !== null)(`Chromium kiosk: camera granted by managed policy${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let kiosk: KioskProcess;

  beforeAll(async () => {
    kiosk = await startKioskProcess({ extraArgs: ['--allow-fake-camera'] });
  });

  afterAll(async () => {
    if (existsSync(POLICY_FILE)) rmSync(POLICY_FILE);
    await kiosk?.stop();
  });

  async function cameraState(): Promise<string> {
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // The fake device stands in for the webcam; no --use-fake-ui-for-media-stream: permission comes from policy or not at all.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${makeClip(FACE_CLIP)}`,
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(kiosk.url);
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await page.getByRole('button', { name: 'I agree', exact: true }).click();
      const live = page.locator('.guidance[data-guidance]');
      const failed = page.getByText('The camera is not available');
      await Promise.race([live.first().waitFor({ timeout: 60_000 }), failed.waitFor({ timeout: 60_000 })]);
      return (await failed.count()) > 0 ? 'refused' : 'live';
    } finally {
      await browser.close();
    }
  }

  it('without the policy the camera is refused; with the deployment policy for this origin it starts with no prompt', async () => {
    expect(await cameraState()).toBe('refused');
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'docs/deploy/linux/chromium-policy.json'), 'utf8')) as {
      VideoCaptureAllowedUrls: string[];
    };
    expect(shipped.VideoCaptureAllowedUrls).toEqual(['http://127.0.0.1:8080']);
    // The shipped rule, for this test's own port (the other shipped rules, such as the URL blocklist, would affect
    // every other Chromium on this machine, so only the camera rule is installed here).
    writeFileSync(POLICY_FILE, JSON.stringify({ VideoCaptureAllowedUrls: [new URL(kiosk.url).origin] }));
    expect(await cameraState()).toBe('live');
  });
});
