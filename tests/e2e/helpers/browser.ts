// Debian's Chromium driven by playwright-core, with the fake camera playing a y4m clip; console errors collected;
// axe-core checks; screenshots kept under artifacts/screenshots (and docs/screenshots when asked).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './paths';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_MISSING = !existsSync(CHROMIUM_PATH);
export const SKIP_REASON = `skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)`;

const ARTIFACTS = join(REPO_ROOT, 'artifacts', 'screenshots');
const DOCS = join(REPO_ROOT, 'docs', 'screenshots');
/** README screenshots are rewritten only when asked (they are committed; the camera area is blurred). */
const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';

/** Headless Chromium; with a clip, its fake camera plays that y4m file (the console needs no camera). */
export async function launchChromium(clip?: string): Promise<Browser> {
  const camera = clip
    ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`]
    : [];
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...camera,
    ],
  });
}

/** Console errors and uncaught page errors of a page (the suite asserts there are none). */
export function collectErrors(page: Page, into: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') into.push(`${page.url()}: console: ${message.text()}`);
  });
  page.on('pageerror', (error) => into.push(`${page.url()}: pageerror: ${error.message}`));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  if (UPDATE_DOCS) {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, `${name}.png`) });
  }
  return path;
}

/** Serious and critical axe-core violations on the page as it is now (empty means it passes). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
