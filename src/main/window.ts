// The one kiosk window, hardened per Electron's security checklist. Electron glue only.
import { BrowserWindow, app } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ORIGIN, originOf } from '../node/host/app-protocol';
import { logger } from '../node/logging';

export { APP_ORIGIN, APP_SCHEME } from '../node/host/app-protocol';

/** The renderer's origin: electron-vite's dev server in development, our own scheme otherwise. */
export function rendererOrigin(): string {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  return devUrl && !app.isPackaged ? (originOf(devUrl) ?? APP_ORIGIN) : APP_ORIGIN;
}

export function createKioskWindow(): BrowserWindow {
  const window = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#f4f6fa',
    webPreferences: {
      // Sandboxed preloads must be CommonJS (electron.vite.config.ts builds it as index.cjs).
      preload: join(dirname(fileURLToPath(import.meta.url)), '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  window.removeMenu();
  window.once('ready-to-show', () => window.show());

  const origin = rendererOrigin();
  // Nothing navigates away from the kiosk page and nothing opens a new window.
  window.webContents.on('will-navigate', (event, url) => {
    if (originOf(url) !== origin) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (originOf(url) !== origin) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // A crashed or killed renderer comes back instead of leaving a blank kiosk.
  window.webContents.on('render-process-gone', (_event, details) => {
    logger('main').error({ reason: details.reason, exitCode: details.exitCode }, 'renderer gone; reloading');
    if (!window.isDestroyed()) setTimeout(() => loadRenderer(window), 1000);
  });

  loadRenderer(window);
  return window;
}

export function loadRenderer(window: BrowserWindow): void {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl && !app.isPackaged) void window.loadURL(devUrl);
  else void window.loadURL(`${APP_ORIGIN}/index.html`);
}
