// The customer journey at the kiosk's real screen sizes: every screen in 1080x1920 portrait and 1920x1080 landscape
// with large text and high contrast, nothing important outside the viewport or hidden by overflow, axe on each;
// every screen left alone returns to attract; nothing a customer chose carries over to the next one.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, SKIP_REASON, collectErrors, launchChromium, screenshot, seriousViolations } from './helpers/browser';
import { FACE_CLIP, makeClip } from './helpers/clips';
import { startKioskProcess, type KioskProcess } from './helpers/kiosk-process';
import { holdScreenWhen } from './helpers/page-clock';
import { parseLivenessConfig } from '../../src/shared/config';
import { createLivenessSession } from '../../src/liveness/index';

if (CHROMIUM_MISSING) console.warn(`e2e kiosk journey suite ${SKIP_REASON}`);

const VIEWPORTS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
} as const;
/** Short idle timeouts for the idle checks (the app's ?idleS hook can only make it reset sooner). */
const IDLE_S = 12;

/**
 * Page init script: the page's own WebSocket, with the answers to `config.get` (the kiosk's settings) held until
 * releaseSettings(); every channel the page sends is listed in `window.sentChannels`.
 */
function holdSettingsAnswers(): void {
  const sentChannels: string[] = [];
  const settingsCalls = new Set<number>();
  const held: { socket: WebSocket; data: string }[] = [];
  let holding = true;
  class HoldingSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the client's onmessage, so it runs first and can keep the answer from it.
      this.addEventListener('message', (event) => {
        if (!holding || typeof event.data !== 'string') return;
        const id = (JSON.parse(event.data) as { id?: number }).id;
        if (id === undefined || !settingsCalls.has(id)) return;
        event.stopImmediatePropagation();
        held.push({ socket: this, data: event.data });
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') {
        const message = JSON.parse(data) as { id: number; channel: string };
        sentChannels.push(message.channel);
        if (message.channel === 'config.get') settingsCalls.add(message.id);
      }
      super.send(data);
    }
  }
  const page = window as unknown as { sentChannels: string[]; releaseSettings: () => number };
  page.sentChannels = sentChannels;
  page.releaseSettings = () => {
    holding = false;
    for (const { socket, data } of held.splice(0)) socket.dispatchEvent(new MessageEvent('message', { data }));
    return settingsCalls.size;
  };
  window.WebSocket = HoldingSocket;
}

/** Lets the held settings answers through; resolves with how many `config.get` requests the page had sent. */
function releaseSettings(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { releaseSettings: () => number }).releaseSettings());
}

/** Visible important elements whose box leaves the viewport, and screens whose content overflows (a kiosk cannot scroll). */
async function offScreen(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    const height = window.innerHeight;
    const selector =
      'button, h1, .challenge, .camera, .result-status, .reference-number, .consent-points, .idle-notice, .journey, progress, .guidance';
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
      if (box.left < -1 || box.top < -1 || box.right > width + 1 || box.bottom > height + 1) {
        problems.push(
          `${element.tagName.toLowerCase()}.${element.className} at ${Math.round(box.left)},${Math.round(box.top)} ${Math.round(box.width)}x${Math.round(box.height)}`,
        );
      }
    }
    for (const screen of Array.from(document.querySelectorAll<HTMLElement>('.screen'))) {
      if (screen.scrollHeight > screen.clientHeight + 1)
        problems.push(`.screen overflows by ${screen.scrollHeight - screen.clientHeight}px`);
    }
    return problems;
  });
}

describe.skipIf(CHROMIUM_MISSING)(`kiosk journey at kiosk screen sizes${CHROMIUM_MISSING ? ` (${SKIP_REASON})` : ''}`, () => {
  let kiosk: KioskProcess;
  let browser: Browser;
  const errors: string[] = [];
  const axe: Record<string, string[]> = {};
  const layout: Record<string, string[]> = {};

  beforeAll(async () => {
    kiosk = await startKioskProcess({ testSeed: true });
    browser = await launchChromium(makeClip(FACE_CLIP));
  });

  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  async function openPage(
    viewport: { width: number; height: number },
    query: Record<string, string> = {},
    init?: () => void,
  ): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // The last page's close races afterAll's browser.close(); a context that is already gone is what we wanted.
    page.once('close', () => void context.close().catch(() => undefined));
    collectErrors(page, errors);
    if (init) await page.addInitScript(init);
    // The page's clock, so a challenge or the flash can be held still while it is measured (helpers/page-clock.ts).
    await page.clock.install();
    await page.goto(`${kiosk.url}?${new URLSearchParams({ privacy: 'blur', ...query })}`);
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    return page;
  }

  async function check(page: Page, name: string): Promise<void> {
    layout[name] = await offScreen(page);
    axe[name] = await seriousViolations(page);
    await screenshot(page, name);
  }

  async function displayOptionsOn(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Large text' }).click();
    await page.getByRole('button', { name: 'High contrast' }).click();
  }

  async function expectFreshAttract(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor({ timeout: 30_000 });
    const state = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      classes: document.querySelector('.app')?.className ?? '',
      pressed: Array.from(document.querySelectorAll('.toggles [aria-pressed="true"]')).length,
    }));
    expect(state).toEqual({ lang: 'en', classes: 'app privacy-blur', pressed: 0 });
  }

  for (const [orientation, viewport] of Object.entries(VIEWPORTS)) {
    it(`${orientation}: attract, consent, challenge, result with large text and high contrast, all on screen`, async () => {
      const config = {
        liveness_mode: 'active',
        liveness_challenges: ['head_left', 'blink'],
        challenge_timeout_s: 3,
        face_liveness_max_attempts: 1,
      };
      const page = await openPage(viewport, { testSeed: `journey-${orientation}`, config: JSON.stringify(config) });
      await displayOptionsOn(page);
      await check(page, `${orientation}-01-attract`);
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await page.getByRole('button', { name: 'I agree', exact: true }).waitFor();
      await expect.poll(() => page.locator('[data-fact="kept"]').count()).toBe(1);
      await check(page, `${orientation}-02-consent`);
      await page.getByRole('button', { name: 'I agree', exact: true }).click();
      // A challenge lasts seconds: the page holds it still while it is measured and photographed (a loaded machine
      // used to photograph the result instead).
      await holdScreenWhen(page, { selector: '.challenge-text[data-challenge]', missedIf: '.result-status' });
      const cancelShown = await page.getByRole('button', { name: 'Cancel', exact: true }).isVisible();
      layout[`${orientation}-03-challenge`] = await offScreen(page);
      await screenshot(page, `${orientation}-03-challenge`);
      await page.clock.resume();
      expect(cancelShown).toBe(true);
      const status = page.locator('.result-status');
      await status.waitFor({ timeout: 90_000 });
      await check(page, `${orientation}-04-result`);
      await page.getByRole('button', { name: 'Done', exact: true }).click();
      // The next customer starts clean: no large text, no high contrast, the kiosk's language.
      await expectFreshAttract(page);
      await page.close();
    });

    it(`${orientation}: the flash keeps the oval, the progress and Cancel on screen`, async () => {
      const config = { liveness_mode: 'flash' as const, face_liveness_max_attempts: 1 };
      const steps = createLivenessSession(parseLivenessConfig(config), { seed: `flash-${orientation}`, sessionId: 'reference' }).plan.flash!
        .steps.length;
      const page = await openPage(viewport, { testSeed: `flash-${orientation}`, config: JSON.stringify(config) });
      await displayOptionsOn(page);
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await page.getByRole('button', { name: 'I agree', exact: true }).click();
      // The flash lasts about 5 s: the page holds a colour of the sequence still while it is read and photographed.
      await holdScreenWhen(page, {
        selector: '.flash-overlay',
        attribute: 'data-step',
        from: Math.floor(steps / 2),
        below: steps,
        missedIf: '.result-status',
      });
      const shown = await page.evaluate(() =>
        ['.oval-guide', '.flash-progress progress', '.actions.bottom button'].map((selector) => {
          const box = document.querySelector(selector)?.getBoundingClientRect();
          return Boolean(box && box.width > 0 && box.height > 0);
        }),
      );
      // "Keep looking at the screen" is said once, and any guidance sits on a white panel, not on the coloured field.
      const keepLooking = await page.getByText('Keep looking at the screen', { exact: true }).count();
      const guidancePanels = await page
        .locator('.guidance:not(:empty)')
        .evaluateAll((nodes) => nodes.map((node) => getComputedStyle(node).backgroundColor));
      layout[`${orientation}-05-flash`] = await offScreen(page);
      await screenshot(page, `${orientation}-05-flash`);
      await page.clock.resume();
      expect(shown).toEqual([true, true, true]);
      expect(keepLooking).toBe(1);
      for (const background of guidancePanels) expect(background).toBe('rgb(255, 255, 255)');
      await page.locator('.result-status').waitFor({ timeout: 90_000 });
      await page.close();
    });
  }

  it("every screen left alone returns to attract, and the customer's choices are cleared", async () => {
    const viewport = VIEWPORTS.landscape;
    const idle = { idleS: String(IDLE_S) };
    // Consent (after choosing Arabic, large text and high contrast): a countdown, then attract as new.
    const consent = await openPage(viewport, idle);
    await displayOptionsOn(consent);
    await consent.getByRole('button', { name: 'العربية' }).click();
    await consent.getByRole('button', { name: 'ابدأ', exact: true }).click();
    await consent.locator('.consent-points').waitFor();
    await consent.getByRole('timer').waitFor({ timeout: 30_000 });
    await screenshot(consent, 'idle-01-consent-countdown');
    await expectFreshAttract(consent);
    await consent.close();

    // "No check was made".
    const declined = await openPage(viewport, idle);
    await declined.getByRole('button', { name: 'Start', exact: true }).click();
    await declined.getByRole('button', { name: 'No, thank you', exact: true }).click();
    await declined.getByRole('heading', { name: 'No check was made' }).waitFor();
    await expectFreshAttract(declined);
    await declined.close();

    // The camera is unavailable (no device: getUserMedia refused at the boundary we do not own).
    const noCamera = await openPage(viewport, idle, () => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    await noCamera.getByRole('button', { name: 'Start', exact: true }).click();
    await noCamera.getByRole('button', { name: 'I agree', exact: true }).click();
    await noCamera.getByText('The camera is not available').waitFor();
    await screenshot(noCamera, 'idle-02-camera-unavailable');
    await expectFreshAttract(noCamera);
    await noCamera.close();

    // Staff mode's PIN form.
    const staff = await openPage(viewport, idle);
    await staff.keyboard.press('Control+Shift+S');
    await staff.getByLabel('Staff PIN').waitFor();
    await expectFreshAttract(staff);
    await staff.close();

    // A result.
    const result = await openPage(viewport, {
      ...idle,
      config: JSON.stringify({ liveness_mode: 'passive', face_liveness_max_attempts: 1 }),
    });
    await result.getByRole('button', { name: 'Start', exact: true }).click();
    await result.getByRole('button', { name: 'I agree', exact: true }).click();
    await result.locator('.result-status').waitFor({ timeout: 90_000 });
    await expectFreshAttract(result);
    await result.close();
  });

  it("a language chosen before the kiosk's settings arrive is kept when they do", async () => {
    // Reproduces a CI failure on a loaded machine: the settings answer came after the tap on العربية and put English back.
    const page = await openPage(VIEWPORTS.landscape, {}, holdSettingsAnswers);
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('button', { name: 'ابدأ', exact: true }).waitFor();
    // The settings are still held: the journey steps they describe are not shown yet.
    expect(await page.locator('.journey').count()).toBe(0);
    expect(await releaseSettings(page)).toBeGreaterThan(0);
    await page.locator('.journey').waitFor();
    expect(await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }))).toEqual({
      lang: 'ar',
      dir: 'rtl',
    });
    await page.close();
  });

  it("Start tapped before the kiosk's settings arrive waits for them: the camera screen is never left empty", async () => {
    // Without the settings the camera screen renders nothing; a session started before them led to a blank kiosk.
    const page = await openPage(VIEWPORTS.landscape, { config: JSON.stringify({ liveness_mode: 'passive' }) }, holdSettingsAnswers);
    const settingsAsked = () =>
      page.evaluate(() => (window as unknown as { sentChannels: string[] }).sentChannels.filter((c) => c === 'config.get').length);
    // The page's own first request for the settings has gone out (its socket opens after the first paint).
    await page.waitForFunction(() => (window as unknown as { sentChannels: string[] }).sentChannels.includes('config.get'));
    const before = await settingsAsked();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // The tap asks for the settings again and starts no session while they are held.
    await page.waitForFunction((asked) => {
      const channels = (window as unknown as { sentChannels: string[] }).sentChannels;
      return channels.filter((c) => c === 'config.get').length > asked || channels.includes('session.start');
    }, before);
    expect(await page.evaluate(() => (window as unknown as { sentChannels: string[] }).sentChannels.includes('session.start'))).toBe(false);
    expect(await settingsAsked()).toBe(before + 1);
    await releaseSettings(page);
    await page.getByRole('button', { name: 'I agree', exact: true }).click();
    await page.locator('.capture').waitFor();
    await page.close();
  });

  it('nothing off-screen, no overflow, no console errors and no serious accessibility violations on any screen', () => {
    expect(Object.keys(layout).length).toBe(10);
    for (const [screen, problems] of Object.entries(layout)) expect({ screen, problems }).toEqual({ screen, problems: [] });
    for (const [screen, violations] of Object.entries(axe)) expect({ screen, violations }).toEqual({ screen, violations: [] });
    expect(errors).toEqual([]);
  });
});
