// Holding a short-lived kiosk screen (a challenge, the flash) still while a test reads it and takes its screenshot.
// The page's own clock (installed with `page.clock.install()` before the page loads) paces the frames and paints
// the flash; it is paused from inside the page, in the same task that puts the wanted state on screen, so however
// loaded the machine is, the test reads that state and not whatever came a few seconds later.
import type { Page } from 'playwright-core';

/** What to wait for: an element, and optionally a numeric attribute of it in [from, below). */
export interface ScreenState {
  selector: string;
  attribute?: string;
  from?: number;
  below?: number;
  /** A screen that means the wanted state will not come (the attempt ended): fail with its text instead of waiting. */
  missedIf?: string;
}

/** How often the test looks whether the page has paused itself (a wait on state, bounded by the test's timeout). */
const POLL_MS = 100;

/**
 * Pause the page's clock the moment `state` is on screen (a MutationObserver in the page), and resolve once it is
 * paused. Frames already in flight to the kiosk finish; the next one is only sent after `page.clock.resume()`.
 */
export async function holdScreenWhen(page: Page, state: ScreenState): Promise<void> {
  await page.evaluate(({ selector, attribute, from, below, missedIf }) => {
    // Playwright's clock controller: the same object `page.clock.pauseAt` drives from the test side.
    const clock = (globalThis as unknown as { __pwClock?: { controller: { pauseAt(time: number): Promise<unknown> } } }).__pwClock
      ?.controller;
    if (!clock) throw new Error('holdScreenWhen needs page.clock.install() before the page loads');
    const held = globalThis as unknown as { __screenHeld?: boolean | string };
    held.__screenHeld = false;
    const ready = () => {
      const element = document.querySelector(selector);
      if (!element || !attribute) return Boolean(element);
      const value = Number(element.getAttribute(attribute) ?? Number.NaN);
      return value >= (from ?? 0) && value < (below ?? Number.POSITIVE_INFINITY);
    };
    const hold = () => {
      observer.disconnect();
      void clock.pauseAt(Date.now()).then(() => {
        held.__screenHeld = true;
      });
    };
    const missed = () => {
      const element = missedIf ? document.querySelector<HTMLElement>(missedIf) : null;
      if (!element) return false;
      observer.disconnect();
      held.__screenHeld = `${selector} never came; the screen showed: ${element.innerText.slice(0, 200)}`;
      return true;
    };
    const observer = new MutationObserver(() => {
      if (ready()) hold();
      else missed();
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    if (ready()) hold();
  }, state);
  for (;;) {
    const held = await page.evaluate(() => (globalThis as unknown as { __screenHeld?: boolean | string }).__screenHeld);
    if (held === true) return;
    if (typeof held === 'string') throw new Error(held);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
