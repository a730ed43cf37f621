// End to end, issue 10 item 2: a teller's system creates a session on a real `liveness server`; at `liveness kiosk`
// (syncing to it, provisioned with its workflow key) the person taps "I have a code", types the short code on the
// on-screen keypad in Chromium, runs the session's workflow with the fake camera, and the decision lands on that
// session. A wrong code is refused in a sentence. Every screen is checked with axe-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPin } from '../../src/node/kiosk/pin';
import { createServer, type LivenessServer } from '../../src/server/app';
import { CHROMIUM_MISSING, SKIP_REASON, collectErrors, launchChromium, screenshot, seriousViolations } from './helpers/browser';
import { FACE_CLIP, makeClip } from './helpers/clips';
import { ISSUED_STAFF_PIN, startKioskProcess, type KioskProcess } from './helpers/kiosk-process';

if (CHROMIUM_MISSING) console.warn(`e2e branch code suite ${SKIP_REASON}`);

const KEY = 'e2e-branch-key';

describe.skipIf(CHROMIUM_MISSING)(
  `a branch session taken by its code on the kiosk keypad${CHROMIUM_MISSING ? ` (${SKIP_REASON})` : ''}`,
  () => {
    let dir: string;
    let server: LivenessServer;
    let base: string;
    let kiosk: KioskProcess;
    let browser: Browser;
    const errors: string[] = [];
    const axe: Record<string, string[]> = {};

    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'liveness-e2e-branch-'));
      server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: KEY, enrolTokens: ['tok-branch-e2e'] });
      base = await server.listen({ port: 0 });
      const key = await server.storage.db.get<{ public_key_pem: string }>('SELECT public_key_pem FROM server_keys');
      kiosk = await startKioskProcess({
        provisioning: { staff_pin_hash: await hashPin(ISSUED_STAFF_PIN), pin_must_change: false, workflow_public_key: key!.public_key_pem },
        // A provisioned kiosk refuses Chromium's fake camera unless told this is a test rig.
        extraArgs: ['--server', base, '--enrol-token', 'tok-branch-e2e', '--allow-fake-camera'],
      });
      browser = await launchChromium(makeClip(FACE_CLIP));
      // The kiosk enrols at its first sync.
      for (let i = 0; i < 600 && (await server.storage.db.all('SELECT id FROM devices')).length === 0; i++)
        await new Promise((done) => setTimeout(done, 100));
    });

    afterAll(async () => {
      await browser?.close();
      await kiosk?.stop();
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function visit(page: Page, name: string): Promise<void> {
      await screenshot(page, name);
      axe[name] = await seriousViolations(page);
    }

    async function typeOnKeypad(page: Page, code: string): Promise<void> {
      const keypad = page.getByRole('group', { name: 'Keypad' });
      for (const char of code.replace('-', '')) await keypad.getByRole('button', { name: char, exact: true }).click();
    }

    it("types the code on the keypad (a wrong one is refused in words), runs the session's workflow, and the decision lands on the session", async () => {
      const workflow = await api('POST', '/v3/workflows/', {
        workflow_label: 'Counter',
        features: [
          { feature: 'LIVENESS', config: { face_liveness_method: 'PASSIVE', liveness_threshold: 70, face_liveness_max_attempts: 1 } },
        ],
      });
      const session = (await api('POST', '/v3/session/', { workflow_id: workflow.uuid, vendor_data: 'customer-e2e' })) as {
        session_id: string;
        short_code: string;
      };

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      collectErrors(page, errors);
      await page.goto(`${kiosk.url}?privacy=blur`);
      await page.getByRole('button', { name: 'I have a code' }).click();
      await page.getByRole('heading', { name: 'Enter your session code' }).waitFor();
      await visit(page, 'branch-01-code-entry');

      await typeOnKeypad(page, 'ZZZZ-ZZZZ');
      await expect.poll(() => page.getByTestId('code-display').innerText()).toBe('ZZZZ-ZZZZ');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('No session has this code. Please check it with the teller.');
      await visit(page, 'branch-02-code-refused');
      await page.getByRole('button', { name: 'Clear' }).click();

      await typeOnKeypad(page, session.short_code);
      await page.getByRole('button', { name: 'Delete the last character' }).click();
      await typeOnKeypad(page, session.short_code.slice(-1));
      await expect.poll(() => page.getByTestId('code-display').innerText()).toBe(session.short_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'I agree', exact: true }).waitFor();
      expect(await api('GET', `/v3/session/${session.session_id}/decision/`)).toMatchObject({ status: 'In Progress' });
      await page.getByRole('button', { name: 'I agree', exact: true }).click();
      const status = page.locator('.result-status');
      await status.waitFor({ timeout: 120_000 });
      await expect.poll(() => status.innerText()).toMatch(/Approved|Declined|In Review/);
      await visit(page, 'branch-03-result');
      const shown = await page.getByRole('status').getAttribute('data-status');
      await expect
        .poll(async () => (await api('GET', `/v3/session/${session.session_id}/decision/`)).status, { timeout: 60_000 })
        .toBe(shown);
      await context.close();
    });

    it('has no serious accessibility violations and no console errors', () => {
      expect(Object.keys(axe)).toHaveLength(3);
      expect(axe).toEqual(Object.fromEntries(Object.keys(axe).map((name) => [name, []])));
      expect(errors).toEqual([]);
    });
  },
);
