// End to end: `liveness kiosk` (real engine, decision core, SQLite store) driven through Debian's Chromium with the
// fake camera playing fixture clips. Every screen is checked with axe-core and kept as a screenshot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseLivenessConfig } from '../../src/shared/config';
import { LAUNCH_TOKEN_META, LAUNCH_TOKEN_PROTOCOL } from '../../src/shared/ipc-contract';
import { createLivenessSession } from '../../src/liveness/index';
import { CHROMIUM_MISSING, SKIP_REASON, collectErrors, launchChromium, screenshot, seriousViolations } from './helpers/browser';
import { DARK_CLIP, FACE_CLIP, makeClip } from './helpers/clips';
import { holdScreenWhen } from './helpers/page-clock';
import { ISSUED_STAFF_PIN, startKioskProcess, type KioskProcess } from './helpers/kiosk-process';

if (CHROMIUM_MISSING) console.warn(`e2e kiosk suite ${SKIP_REASON}`);

const NEW_PIN = '13572468';

describe.skipIf(CHROMIUM_MISSING)(`kiosk in Chromium with a fake camera${CHROMIUM_MISSING ? ` (${SKIP_REASON})` : ''}`, () => {
  let kiosk: KioskProcess;
  let faceBrowser: Browser;
  let darkBrowser: Browser;
  const errors: string[] = [];
  const axe: Record<string, string[]> = {};

  beforeAll(async () => {
    const [face, dark] = [makeClip(FACE_CLIP), makeClip(DARK_CLIP)];
    kiosk = await startKioskProcess({ testSeed: true });
    [faceBrowser, darkBrowser] = await Promise.all([launchChromium(face), launchChromium(dark)]);
  });

  afterAll(async () => {
    await Promise.all([faceBrowser?.close(), darkBrowser?.close()]);
    await kiosk?.stop();
  });

  async function openPage(browser: Browser, query: Record<string, string> = {}, options: { clock?: boolean } = {}): Promise<Page> {
    // A context per page: axe-core needs one, and each page starts clean.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The last page's close races afterAll's browser.close(); a context that is already gone is what we wanted.
    page.once('close', () => void context.close().catch(() => undefined));
    collectErrors(page, errors);
    // The page's clock, for tests that hold a short-lived screen still (helpers/page-clock.ts).
    if (options.clock) await page.clock.install();
    // privacy=blur: screenshots never show the fixture person's face sharply.
    const params = new URLSearchParams({ privacy: 'blur', ...query });
    await page.goto(`${kiosk.url}?${params}`);
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    return page;
  }

  /** Screenshot plus axe-core for one screen. */
  async function visit(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    axe[name] = await seriousViolations(page);
  }

  /** Records every text the capture screen shows, with its phase, so a test can check what was never shown. */
  async function recordGuidance(page: Page): Promise<void> {
    await page.evaluate(() => {
      const log: { phase: string; text: string }[] = [];
      (window as unknown as { guidanceLog: typeof log }).guidanceLog = log;
      new MutationObserver(() => {
        const screen = document.querySelector('.capture');
        if (screen) log.push({ phase: screen.getAttribute('data-phase') ?? '', text: (screen as HTMLElement).innerText });
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  }

  async function startAndConsent(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('button', { name: 'I agree', exact: true }).waitFor();
    await page.getByRole('button', { name: 'I agree', exact: true }).click();
  }

  it('passive: attract -> consent -> capture -> result (Approved, Declined or In Review)', async () => {
    const page = await openPage(faceBrowser, { config: JSON.stringify({ liveness_mode: 'passive', face_liveness_max_attempts: 1 }) });
    await visit(page, '01-attract');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('button', { name: 'I agree', exact: true }).waitFor();
    // Consent is generated from this kiosk's real data flow: 30-day retention, no central service configured.
    await expect.poll(() => page.locator('.consent-points').innerText()).toContain('for 30 days');
    expect(await page.locator('.consent-points').innerText()).toContain('Nothing is sent anywhere');
    await visit(page, '02-consent');
    await page.getByRole('button', { name: 'I agree', exact: true }).click();
    // Live guidance from the engine appears while the person is positioned.
    await page.locator('.guidance[data-guidance]').first().waitFor({ timeout: 60_000 });
    await visit(page, '03-capture');
    const status = page.getByRole('status');
    await status.waitFor({ timeout: 90_000 });
    await expect.poll(() => status.innerText()).toMatch(/Approved|Declined|In Review/);
    await visit(page, '04-result');
    expect(await status.getAttribute('data-status')).toMatch(/^(Approved|Declined|In Review)$/);
    // A final result gives a short reference number and the next step, and no "Try again" (no retry exists).
    expect(await page.locator('.reference-number').innerText()).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(await page.locator('.next-step').innerText()).not.toBe('');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await page.close();
  });

  it('active with a fixed test seed: the challenges are asked in the seeded order, then a final result', async () => {
    const config = {
      liveness_mode: 'active' as const,
      liveness_challenges: ['head_left', 'blink'] as ('head_left' | 'blink')[],
      challenge_timeout_s: 3,
      face_liveness_max_attempts: 1,
    };
    const seed = 'e2e-active-seed-1';
    // The decision core itself says which order this seed gives (the kiosk passes its own session id, so the seeded
    // stream is not used to draw one); the UI must ask exactly that.
    const expected = createLivenessSession(parseLivenessConfig(config), { seed, sessionId: 'reference' }).plan.challenges;
    const page = await openPage(faceBrowser, { testSeed: seed, config: JSON.stringify(config) });
    await recordGuidance(page);
    await startAndConsent(page);
    const prompt = page.locator('.challenge-text');
    await prompt.waitFor({ timeout: 90_000 });
    expect(await prompt.getAttribute('data-challenge')).toBe(expected[0]);
    await visit(page, '05-challenge');
    const status = page.locator('.result-status');
    await status.waitFor({ timeout: 90_000 });
    await expect.poll(() => status.innerText()).toMatch(/Approved|Declined|In Review|Let us try again/);
    const log = await page.evaluate(() => (window as unknown as { guidanceLog: { phase: string; text: string }[] }).guidanceLog);
    const challengeLines = log.filter((entry) => entry.phase === 'challenge');
    expect(challengeLines.length).toBeGreaterThan(0);
    expect(challengeLines.filter((entry) => /hold still/i.test(entry.text))).toEqual([]);
    await page.close();
  });

  it('flash with a fixed test seed: the screen shows the seeded colour sequence full screen', async () => {
    const config = { liveness_mode: 'flash' as const, face_liveness_max_attempts: 1 };
    const seed = 'e2e-flash-seed-1';
    const flash = createLivenessSession(parseLivenessConfig(config), { seed, sessionId: 'reference' }).plan.flash;
    expect(flash).not.toBeNull();
    const allowed = new Set(flash!.steps.map((step) => `rgb(${step.rgb.join(', ')})`));
    const page = await openPage(faceBrowser, { testSeed: seed, config: JSON.stringify(config) }, { clock: true });
    await startAndConsent(page);
    // The flash runs on the page's clock for a few seconds: it was read with separate calls (a poll with a 10 s
    // window, then the colour, the box, the oval, the progress, Cancel, the screenshot) while it ran, so on a loaded
    // machine the sequence had ended, or the result was up, between one read and the next. Now the page pauses its
    // own clock when a colour of the sequence is on screen, and everything is read from that one still screen.
    // Half-way through, so the screenshot shows the progress bar moving.
    await holdScreenWhen(page, {
      selector: '.flash-overlay',
      attribute: 'data-step',
      from: Math.floor(flash!.steps.length / 2),
      below: flash!.steps.length,
      missedIf: '.result-status',
    });
    const overlay = page.locator('.flash-overlay');
    const shown = await overlay.evaluate((element) => ({
      colour: getComputedStyle(element).backgroundColor,
      step: Number((element as HTMLElement).dataset.step),
    }));
    expect(shown.step).toBeLessThan(flash!.steps.length);
    expect(allowed.has(shown.colour), `${shown.colour} at step ${shown.step}`).toBe(true);
    expect(await overlay.boundingBox()).toMatchObject({ x: 0, y: 0, width: 1280, height: 800 });
    // The oval, the progress and Cancel stay visible on the coloured field.
    expect(await page.locator('.oval-guide').isVisible()).toBe(true);
    expect(await page.getByRole('progressbar', { name: 'Coloured light' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).isVisible()).toBe(true);
    await screenshot(page, '06-flash');
    await page.clock.resume();
    const status = page.getByRole('status');
    await status.waitFor({ timeout: 90_000 });
    await expect.poll(() => status.innerText()).toMatch(/Approved|Declined|In Review/);
    await page.close();
  });

  it('retry path: a dark clip ends the attempt with LOW_FACE_LUMINANCE guidance and a "Try again"', async () => {
    const page = await openPage(darkBrowser, { config: JSON.stringify({ liveness_mode: 'passive', face_liveness_max_attempts: 2 }) });
    await startAndConsent(page);
    await expect
      .poll(() => page.locator('.guidance[data-guidance]').first().getAttribute('data-guidance'), { timeout: 60_000 })
      .toContain('too_dark');
    await visit(page, '07-capture-too-dark');
    const status = page.getByRole('status');
    await status.waitFor({ timeout: 120_000 });
    expect(await status.getAttribute('data-feedback')).toContain('LOW_FACE_LUMINANCE');
    await expect.poll(() => status.innerText()).toContain('Move to a brighter, evenly lit place and try again.');
    expect(await status.innerText()).toContain('Attempts left: 1');
    await visit(page, '08-result-retry');
    await page.getByRole('button', { name: 'Try again', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await page.close();
  });

  it('consent can be declined: nothing is captured', async () => {
    const page = await openPage(faceBrowser);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('button', { name: 'No, thank you', exact: true }).click();
    await page.getByRole('heading', { name: 'No check was made' }).waitFor();
    await visit(page, '09-declined');
    await page.close();
  });

  it('languages and display options: Arabic is right to left, high contrast and large text', async () => {
    const page = await openPage(faceBrowser);
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    await page.getByRole('button', { name: 'ابدأ', exact: true }).waitFor();
    await visit(page, '10-attract-arabic');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'High contrast' }).click();
    await page.getByRole('button', { name: 'Large text' }).click();
    expect(await page.getByRole('button', { name: 'High contrast' }).getAttribute('aria-pressed')).toBe('true');
    await visit(page, '11-attract-high-contrast');
    await page.close();
  });

  it('staff mode: a wrong PIN is refused, the default PIN must be changed, then the threshold can be changed', async () => {
    const page = await openPage(faceBrowser);
    // No staff button on the customer's screen: staff hold the top corner.
    expect(await page.getByRole('button', { name: 'Staff' }).count()).toBe(0);
    await openStaffByGesture(page);
    await page.getByLabel('Staff PIN').fill('000000');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Wrong PIN.');
    await visit(page, '12-staff-unlock');
    await page.getByLabel('Staff PIN').fill(ISSUED_STAFF_PIN);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByLabel('New PIN (6 to 12 digits)').waitFor();
    await visit(page, '13-staff-change-pin');
    // A bad PIN format gets a sentence, not a schema error.
    await page.getByLabel('New PIN (6 to 12 digits)').fill('12');
    await page.getByRole('button', { name: 'Change PIN', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('The new PIN must be 6 to 12 digits.');
    await page.getByLabel('New PIN (6 to 12 digits)').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Change PIN', exact: true }).click();
    const threshold = page.getByLabel('Pass threshold (0-100)');
    await threshold.waitFor();
    await threshold.fill('80');
    await page.getByRole('button', { name: 'Save settings', exact: true }).click();
    await expect.poll(() => page.locator('.staff-form.settings [role="status"]').innerText()).toContain('Settings saved.');
    // Decisions from the sessions above are listed with reference numbers; the queue and sync are in plain words.
    await page.locator('table.recent tbody tr').first().waitFor();
    expect(await page.locator('table.recent tbody tr td.reference-cell').first().innerText()).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(await page.locator('.queue').innerText()).toContain('Waiting to be sent');
    expect(await page.locator('[data-sync]').innerText()).toContain('not connected to a central service');
    await expect.poll(() => page.locator('.audit').innerText()).toContain('Settings changed (Pass threshold (0-100))');
    await page.evaluate(() => document.querySelector('.screen')?.scrollTo(0, 0));
    await visit(page, '14-staff-panel');
    const persisted = JSON.parse(readFileSync(join(kiosk.dir, 'kiosk-config.json'), 'utf8')) as {
      settings: { liveness: { liveness_threshold: number } };
      pinMustChange: boolean;
      staffPinHash: string;
    };
    expect(persisted.settings.liveness.liveness_threshold).toBe(80);
    expect(persisted.pinMustChange).toBe(false);
    expect(persisted.staffPinHash.startsWith('scrypt$')).toBe(true);
    expect(JSON.stringify(persisted)).not.toContain(NEW_PIN);
    await page.getByRole('button', { name: 'Lock staff mode', exact: true }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await page.close();
  });

  async function openStaffByGesture(page: Page): Promise<void> {
    const corner = await page.getByTestId('staff-corner').boundingBox();
    expect(corner).not.toBeNull();
    await page.mouse.move(corner!.x + corner!.width / 2, corner!.y + corner!.height / 2);
    await page.mouse.down();
    await page.getByLabel('Staff PIN').waitFor({ timeout: 10_000 });
    await page.mouse.up();
  }

  it('the host serves strict security headers', async () => {
    const response = await fetch(kiosk.url);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp.startsWith("default-src 'none'")).toBe(true);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${kiosk.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('permissions-policy')).toContain('camera=(self)');
    expect((await fetch(new URL('/../../package.json', kiosk.url))).status).toBe(404);
  });

  it('the WebSocket refuses another origin and answers malformed messages with coded errors', async () => {
    const wsUrl = `ws://127.0.0.1:${kiosk.port}/api/ws`;
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, { origin: 'http://evil.example' });
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.on('open', () => reject(new Error('a foreign origin was accepted')));
      socket.on('error', () => undefined);
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // The kiosk page's per-launch token, read from the page as the renderer does; without it the upgrade is refused.
    const page = await (await fetch(kiosk.url)).text();
    const launchToken = new RegExp(`<meta name="${LAUNCH_TOKEN_META}" content="([0-9a-f]{64})">`).exec(page)?.[1];
    expect(launchToken).toMatch(/^[0-9a-f]{64}$/);
    const socket = new WebSocket(wsUrl, [`${LAUNCH_TOKEN_PROTOCOL}${launchToken}`], { origin: `http://127.0.0.1:${kiosk.port}` });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const replies: { id: number | null; result: { ok: boolean; error?: { code: string } } }[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
    const next = async (count: number) => expect.poll(() => replies.length).toBeGreaterThanOrEqual(count);

    socket.send('{not json');
    await next(1);
    expect(replies[0]).toMatchObject({ id: null, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } });
    socket.send(JSON.stringify({ id: 7, channel: 'no.such.channel', payload: {} }));
    await next(2);
    expect(replies[1]).toMatchObject({ id: 7, result: { ok: false, error: { code: 'NOT_FOUND' } } });
    socket.send(JSON.stringify({ id: 8, channel: 'session.frame', payload: { sessionId: 'x', timestampMs: 0, jpeg: 'AAAA' } }));
    await next(3);
    expect(replies[2]).toMatchObject({ id: 8, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } });
    socket.send(JSON.stringify({ id: 9, channel: 'staff.unlock', payload: { pin: 1234 } }));
    await next(4);
    expect(replies[3]).toMatchObject({ id: 9, result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } });
    socket.send(Buffer.from([1, 2, 3]));
    await next(5);
    expect(replies[4]).toMatchObject({ result: { ok: false, error: { code: 'INVALID_PAYLOAD' } } });
    // A frame before consent is refused.
    socket.send(JSON.stringify({ id: 10, channel: 'session.start', payload: {} }));
    await next(6);
    const plan = replies[5].result as unknown as { ok: true; value: { sessionId: string } };
    expect(plan.ok).toBe(true);
    const header = Buffer.from(JSON.stringify({ id: 11, sessionId: plan.value.sessionId, timestampMs: 0 }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    socket.send(Buffer.concat([length, header, Buffer.from([0xff, 0xd8, 0xff, 0xd9])]));
    await next(7);
    expect(replies[6]).toMatchObject({ id: 11, result: { ok: false, error: { code: 'FORBIDDEN' } } });
    socket.close();
  });

  it('no console errors and no serious or critical accessibility violations on any screen', () => {
    expect(Object.keys(axe).length).toBeGreaterThanOrEqual(10);
    expect(errors).toEqual([]);
    for (const [screen, violations] of Object.entries(axe)) expect({ screen, violations }).toEqual({ screen, violations: [] });
  });
});
