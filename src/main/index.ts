// Electron main: single instance, no menu, the hardened kiosk window, our own app:// origin with the CSP header, a
// permission handler that allows only the camera for our origin, and the kiosk service behind IPC. Glue only.
import { Menu, app, net, protocol, safeStorage, session } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { composeKiosk, type ComposedKiosk } from '../node/kiosk/compose';
import { createSealedKeyProvider } from '../node/store/index';
import { appFileFor } from '../node/host/app-protocol';
import { createLaunchSecret } from '../node/host/launch-secret';
import { embeddedManifestSha256, verifyPinnedManifest } from '../node/host/manifest-pin';
import { electronContentSecurityPolicy } from '../node/host/security-headers';
import { modelsDir } from '../node/engine/model-store';
import { logger } from '../node/logging';
import { registerIpc } from './ipc';
import { openMainLog } from './logs';
import { installPermissionHandlers } from './permissions';
import { quitAfterClose } from './quit';
import { APP_SCHEME, createKioskWindow, rendererOrigin } from './window';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  Menu.setApplicationMenu(null);
  app.on('second-instance', () => undefined);
  app.on('window-all-closed', () => app.quit());
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const logFile = openMainLog();
  const log = logger('main');
  log.info({ version: app.getVersion(), packaged: app.isPackaged, logFile }, 'kiosk starting');
  // A new secret each launch; only the kiosk page's preload receives it (src/main/ipc.ts).
  const launchSecret = createLaunchSecret();
  const rendererDir = resolve(app.getAppPath(), 'out', 'renderer');
  const csp = electronContentSecurityPolicy();
  const origin = rendererOrigin();

  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });

  const kioskSession = session.defaultSession;
  // The dev server's responses get the same CSP.
  kioskSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  installPermissionHandlers(kioskSession, origin);

  const dataDir = app.getPath('userData');
  const packagedModels = app.isPackaged ? join(process.resourcesPath, 'app.asar.unpacked', 'models') : undefined;
  let kiosk: ComposedKiosk;
  try {
    // The manifest must be the one this signed build pins, before any model is checked against it.
    verifyPinnedManifest(packagedModels ?? modelsDir(), embeddedManifestSha256());
    kiosk = await composeKiosk(
      { dbPath: join(dataDir, 'kiosk.sqlite'), configPath: join(dataDir, 'kiosk-config.json') },
      {
        ...(packagedModels ? { modelsDir: packagedModels } : {}),
        // The image key is sealed by the OS keychain when it can be; otherwise the store keeps a 0600 key file.
        ...(osKeychainAvailable()
          ? {
              keyProvider: createSealedKeyProvider(join(dataDir, 'kiosk.sqlite.key.sealed'), {
                seal: (plain) => safeStorage.encryptString(plain.toString('base64')),
                unseal: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
              }),
            }
          : {}),
        ...(process.env.LIVENESS_SERVER_URL
          ? { sync: { serverUrl: process.env.LIVENESS_SERVER_URL, enrolToken: process.env.LIVENESS_ENROL_TOKEN } }
          : {}),
      },
    );
  } catch (err) {
    log.fatal({ err }, 'kiosk could not start');
    app.exit(1);
    return;
  }
  const window = createKioskWindow();
  const unregister = registerIpc(kiosk.service, window, origin, launchSecret);
  log.info({ origin }, 'kiosk window open');
  quitAfterClose(app, async () => {
    unregister();
    await kiosk.close();
  });
}

/** safeStorage on Linux without a keyring falls back to a fixed key ('basic_text'); the 0600 key file is honest there. */
function osKeychainAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
}
