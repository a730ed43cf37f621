// End to end: the business console built with vite, served by a real `liveness server` (SQLite) with kiosk-signed
// decisions synced into it, driven through Debian's Chromium. Every screen is checked with axe-core (and any CSP
// violation would surface as a console error), and kept as a screenshot for the README.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { hashPin } from '../../src/node/kiosk/pin';
import { openStore, type DecisionStore } from '../../src/node/store';
import { createSyncClient } from '../../src/node/sync/client';
import { createServer, type LivenessServer } from '../../src/server';
import { buildConsole, ConsoleStore } from '../../src/server/console';
import { makeResult } from '../../src/testkit/fault-support';
import { CHROMIUM_MISSING, SKIP_REASON, collectErrors, launchChromium, screenshot, seriousViolations } from './helpers/browser';

if (CHROMIUM_MISSING) console.warn(`e2e console suite ${SKIP_REASON}`);

const API_KEY = 'e2e-api-key';
const ADMIN = { username: 'ana.admin', password: 'a long admin passphrase' };
const REVIEWER = { username: 'rui.reviewer', password: 'a long reviewer passphrase' };

/** A drawn placeholder (no real person's face is published in the screenshots). */
async function placeholderPortrait(seed: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="300"><rect width="240" height="300" fill="hsl(${(seed * 47) % 360},25%,82%)"/>
    <ellipse cx="120" cy="125" rx="62" ry="78" fill="#c9a88b"/><rect x="40" y="215" width="160" height="100" rx="60" fill="#5a6b7b"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

describe.skipIf(CHROMIUM_MISSING)(`business console in Chromium${CHROMIUM_MISSING ? ` (${SKIP_REASON})` : ''}`, () => {
  let dir: string;
  let server: LivenessServer;
  let store: ConsoleStore;
  let kiosk: DecisionStore;
  /** A real kiosk (engine, store, settings) syncing in the background: it picks up workflow edits at its next sync. */
  let syncingKiosk: ComposedKiosk;
  let base: string;
  let browser: Browser;
  const errors: string[] = [];
  const axe: Record<string, string[]> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-console-e2e-'));
    const consoleDir = join(dir, 'console');
    await buildConsole(consoleDir);
    process.env.LIVENESS_CONSOLE_DIR = consoleDir;
    server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: API_KEY, enrolTokens: ['tok-e2e', 'tok-e2e-syncing'] });
    store = new ConsoleStore(server.storage.db);
    base = await server.listen({ port: 0 });
    await store.createUser(ADMIN.username, ADMIN.password, 'admin', { type: 'cli', name: 'cli:e2e' });
    await store.createUser(REVIEWER.username, REVIEWER.password, 'reviewer', { type: 'cli', name: 'cli:e2e' });

    kiosk = openStore({ path: join(dir, 'kiosk.sqlite') });
    const sessions: Array<[string, number, 'passive' | 'active' | 'flash']> = [
      ['walk-in-0001', 93, 'active'],
      ['walk-in-0002', 64, 'active'],
      ['teller-4417', 31, 'flash'],
      ['walk-in-0003', 81, 'passive'],
      ['teller-4418', 58, 'passive'],
    ];
    for (const [index, [id, score, mode]] of sessions.entries())
      kiosk.recordDecision(makeResult(id, score, mode), await placeholderPortrait(index));
    const synced = await createSyncClient({ store: kiosk, serverUrl: base, enrolToken: 'tok-e2e' }).drainOnce();
    expect(synced.accepted).toBe(sessions.length);
    const key = await server.storage.db.get<{ public_key_pem: string }>('SELECT public_key_pem FROM server_keys');
    syncingKiosk = await composeKiosk(
      { dbPath: join(dir, 'syncing-kiosk.sqlite') },
      { sync: { serverUrl: base, enrolToken: 'tok-e2e-syncing', idleMs: 200, workflowRefreshMs: 200 } },
    );
    syncingKiosk.provision({ staff_pin_hash: await hashPin('73915024'), pin_must_change: false, workflow_public_key: key!.public_key_pem });

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await syncingKiosk?.close();
    kiosk?.close();
    await server?.close();
    delete process.env.LIVENESS_CONSOLE_DIR;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function openConsole(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    collectErrors(page, errors);
    await page.goto(`${base}/console/`);
    return page;
  }

  async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
    await page.getByLabel('Username').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async function visit(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    axe[name] = await seriousViolations(page);
  }

  it('signs in (a wrong password is refused in words), lists and filters sessions', async () => {
    const page = await openConsole();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await visit(page, 'console-login');
    await page.getByLabel('Username').fill(REVIEWER.username);
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The username or password is wrong.');
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await page.getByRole('link', { name: 'walk-in-0001' }).waitFor();
    expect(await page.getByRole('row').count()).toBe(6);
    await visit(page, 'console-sessions');

    await page.getByLabel('Status').selectOption('Declined');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    await page.getByRole('link', { name: 'teller-4417' }).waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search (session or kiosk id)').fill('teller');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBe(3);
    // The Arabic console reads right to left.
    await page.getByLabel('Language').selectOption('ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('heading', { name: 'الجلسات' }).waitFor();
    await visit(page, 'console-sessions-arabic');
    await page.getByLabel('اللغة').selectOption('en');
    await page.context().close();
  });

  it('a reviewer settles an In Review session from the queue with a comment; the API shows the review', async () => {
    const page = await openConsole();
    await signIn(page, REVIEWER);
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByRole('heading', { name: 'Sessions waiting for review' }).waitFor();
    await expect.poll(() => page.getByRole('row').count()).toBe(3);
    await visit(page, 'console-review-queue');
    await page.getByRole('link', { name: 'walk-in-0002' }).click();
    await page.getByRole('heading', { name: /Session walk-in-0002/ }).waitFor();
    await page.getByRole('img', { name: /Reference image captured by the kiosk/ }).waitFor();
    await expect
      .poll(() => page.getByRole('img', { name: /Reference image/ }).evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(240);
    await page.getByText('The kiosk record verifies').waitFor();
    // Warnings read as sentences, not codes (the code stays in the tooltip for auditors).
    await page.getByText('The liveness score was below the pass threshold.').waitFor();
    expect(await page.getByText('LOW_LIVENESS_SCORE', { exact: true }).count()).toBe(0);
    await visit(page, 'console-session-detail');

    await page.getByLabel('Comment (what you checked)').fill('Face matches the ID card shown at the counter');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: the session is now Approved.' }).waitFor();
    await page.getByText('rui.reviewer: Approved (In Review → Approved)').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    const decision = await (await fetch(`${base}/v3/session/walk-in-0002/decision/`, { headers: { 'x-api-key': API_KEY } })).json();
    expect(decision).toMatchObject({
      status: 'Approved',
      reviews: [{ user: 'rui.reviewer', decision: 'Approved', comment: 'Face matches the ID card shown at the counter' }],
    });
    await page.getByRole('link', { name: 'Review queue' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    // A reviewer has no admin screens.
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.context().close();
  });

  it('an admin edits a workflow (a new version, audited field by field) and sees kiosks and the audit log', async () => {
    const page = await openConsole();
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.getByLabel('Name').fill('Branch counter');
    await page.getByLabel('Method').selectOption('active');
    await page.getByLabel('Threshold').fill('80');
    await page.getByLabel('Attempts allowed').selectOption('2');
    await page.getByLabel('Blink').uncheck();
    await page.getByLabel('Default for walk-in sessions').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Branch counter default' }).waitFor();

    await page.getByRole('button', { name: 'Edit Branch counter' }).click();
    await page.getByLabel('Method').selectOption('action_flash');
    await page.getByLabel('Threshold').fill('85');
    await visit(page, 'console-workflow-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const row = page.getByRole('row', { name: /Branch counter/ });
    await expect.poll(() => row.textContent()).toMatch(/Action \+ flash \(highest\)85.*2.*2/);
    await visit(page, 'console-workflows');
    // The console edits the API's own workflow: /v3/workflows/ shows the same version and settings.
    const [saved] = (await (await fetch(`${base}/v3/workflows/`, { headers: { 'x-api-key': API_KEY } })).json()).results;
    expect(saved).toMatchObject({
      workflow_label: 'Branch counter',
      version: 2,
      is_default: true,
      settings: {
        liveness_mode: 'action_flash',
        liveness_threshold: 85,
        face_liveness_max_attempts: 2,
        liveness_challenges: ['head_left', 'head_right', 'smile'],
      },
    });

    // The syncing kiosk picks the edit up at its next sync (verified against its pinned key) and reports it applied.
    const applied = async () =>
      (
        (await syncingKiosk.service.handle('config.get', {}, { clientId: 'e2e' })) as {
          ok: true;
          value: { liveness: { liveness_mode: string; liveness_threshold: number } };
        }
      ).value.liveness;
    await expect.poll(applied, { timeout: 60_000 }).toMatchObject({ liveness_mode: 'action_flash', liveness_threshold: 85 });
    await page.getByRole('link', { name: 'Kiosks' }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('table').waitFor();
          return page.getByRole('cell', { name: 'Branch counter (v2)', exact: true }).count();
        },
        { timeout: 60_000 },
      )
      .toBe(1);
    // The kiosk that only sent records has not reported: it is told what it gets at its next sync.
    await page.getByRole('cell', { name: 'built-in settings → Branch counter (v2) at its next sync' }).waitFor();
    await visit(page, 'console-kiosks');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/The audit chain verifies/).waitFor();
    await page.getByRole('cell', { name: 'workflow.update' }).waitFor();
    await page.getByRole('cell', { name: 'session.review.approve' }).waitFor();
    await visit(page, 'console-audit');

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Label (what it is for)').fill('Teller system, branch 12');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('code.secret').textContent()) ?? '';
    expect(key).toMatch(/^lk_/);
    expect(await store.resolveApiKey(key)).toMatchObject({ username: ADMIN.username });
    await visit(page, 'console-api-keys');
    await page.context().close();
  });

  it('has no serious accessibility violations and no console errors (CSP violations included)', () => {
    expect(Object.keys(axe).length).toBeGreaterThanOrEqual(10);
    expect(axe).toEqual(Object.fromEntries(Object.keys(axe).map((name) => [name, []])));
    // The one failed request the suite makes on purpose: the wrong password.
    expect(errors).toEqual([expect.stringMatching(/status of 401 \(Unauthorized\)/)]);
  });
});
