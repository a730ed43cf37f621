// Electron smoke test (Playwright _electron): the built app opens one kiosk window showing the Start button, with
// the preload bridge and no Node in the page. Runs only where an Electron binary exists (none can be downloaded here).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths';

/** The Electron executable if one is installed. Checked without require('electron') first: that would try to download. */
function electronBinary(): string | null {
  const packageDir = resolve(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, relative) : existsSync(pathFile) ? join(packageDir, 'dist', relative) : null;
  if (!candidate || !existsSync(candidate)) return null;
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const ELECTRON = electronBinary();
const SKIP_REASON = 'skipped: no Electron binary is installed here (node_modules/electron has no dist; it cannot be downloaded)';
if (!ELECTRON) console.warn(`electron smoke test ${SKIP_REASON}`);

describe.skipIf(!ELECTRON)(`Electron kiosk window${ELECTRON ? '' : ` (${SKIP_REASON})`}`, () => {
  it('launches the hardened kiosk window with the Start button and the preload bridge only', async () => {
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    const userData = mkdtempSync(join(tmpdir(), 'liveness-electron-'));
    const app = await electron.launch({
      executablePath: ELECTRON!,
      args: [
        REPO_ROOT,
        `--user-data-dir=${userData}`,
        '--no-sandbox',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
      cwd: REPO_ROOT,
    });
    try {
      const window = await app.firstWindow();
      await window.getByRole('button', { name: 'Start', exact: true }).waitFor();
      const exposed = await window.evaluate(() => ({
        kiosk: typeof (window as unknown as { kiosk?: object }).kiosk,
        methods: Object.keys((window as unknown as { kiosk?: object }).kiosk ?? {}).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposed.kiosk).toBe('object');
      expect(exposed.methods).toContain('pushFrame');
      expect(exposed.methods).not.toContain('invoke');
      expect(exposed.require).toBe('undefined');
      expect(exposed.process).toBe('undefined');
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
      const config = await window.evaluate(() => (window as unknown as { kiosk: { getConfig(): Promise<unknown> } }).kiosk.getConfig());
      expect(config).toMatchObject({ ok: true });
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
