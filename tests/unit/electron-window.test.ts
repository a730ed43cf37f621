// The kiosk window and the session's permission handlers with `electron` mocked: the hardened webPreferences,
// navigation and redirects away from our origin blocked, new windows and webviews denied, and the camera (video
// only) granted to our origin alone.
// What only a real Electron run proves: that Electron honours these options (sandboxed renderer, isolated world)
// and that the events fire for every navigation path; the options themselves are what this pins.
import { describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => void;
const windows: FakeWindow[] = [];

class FakeWindow {
  static nextId = 1;
  readonly id = FakeWindow.nextId++;
  readonly listeners = new Map<string, Listener>();
  openHandler: (() => unknown) | null = null;
  loaded: string[] = [];
  readonly webContents = {
    on: (name: string, listener: Listener) => this.listeners.set(name, listener),
    setWindowOpenHandler: (handler: () => unknown) => (this.openHandler = handler),
  };
  constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
    windows.push(this);
  }
  removeMenu() {}
  once() {}
  isDestroyed() {
    return false;
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow, app: { isPackaged: true } }));

const { createKioskWindow, APP_ORIGIN } = await import('../../src/main/window');
const { installPermissionHandlers } = await import('../../src/main/permissions');

function blocked(window: FakeWindow, event: string, url: string): boolean {
  let prevented = false;
  window.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('kiosk window (electron mocked)', () => {
  const window = (createKioskWindow(), windows.at(-1)!);

  it('runs the page sandboxed and isolated, without Node, webviews or devtools in a packaged build', () => {
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
    expect(String(window.options.webPreferences.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(window.loaded).toEqual([`${APP_ORIGIN}/index.html`]);
  });

  it('blocks navigation and redirects to any other origin, allows its own', () => {
    expect(blocked(window, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(blocked(window, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(blocked(window, 'will-redirect', 'http://127.0.0.1:9/')).toBe(true);
    expect(blocked(window, 'will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
  });

  it('denies every new window and every webview', () => {
    expect(window.openHandler?.()).toEqual({ action: 'deny' });
    expect(blocked(window, 'will-attach-webview', '')).toBe(true);
  });
});

describe('permission handlers (electron mocked)', () => {
  let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  let check: ((contents: unknown, permission: string, origin: string) => boolean) | null = null;
  installPermissionHandlers(
    {
      setPermissionRequestHandler: (handler: never) => (request = handler),
      setPermissionCheckHandler: (handler: never) => (check = handler),
    },
    APP_ORIGIN,
  );
  const ask = (permission: string, details: unknown): boolean => {
    let granted: boolean | undefined;
    request!({}, permission, (value) => (granted = value), details);
    if (granted === undefined) throw new Error('the handler did not answer');
    return granted;
  };

  it('grants the camera (video only) to our origin and nothing else', () => {
    expect(ask('media', { mediaTypes: ['video'], requestingUrl: `${APP_ORIGIN}/index.html` })).toBe(true);
    expect(ask('media', { mediaTypes: ['video', 'audio'], requestingUrl: `${APP_ORIGIN}/index.html` })).toBe(false);
    expect(ask('media', { mediaTypes: [], requestingUrl: `${APP_ORIGIN}/index.html` })).toBe(false);
    expect(ask('media', { mediaTypes: ['video'], requestingUrl: 'https://evil.example/' })).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'openExternal']) {
      expect(ask(permission, { requestingUrl: `${APP_ORIGIN}/index.html` })).toBe(false);
    }
    expect(check!({}, 'media', APP_ORIGIN)).toBe(true);
    expect(check!({}, 'media', 'https://evil.example')).toBe(false);
    expect(check!({}, 'geolocation', APP_ORIGIN)).toBe(false);
  });
});
