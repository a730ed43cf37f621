// Every contract channel goes through ONE ipcMain.handle wrapper: the sender must be our window's main frame on our
// origin and must present this launch's secret, and the service parses every payload against the contract. The
// secret is handed out on one channel, to that same main frame only. Electron glue only.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, EVENT_CHANNEL, LAUNCH_SECRET_CHANNEL, ipcChannelName, type Envelope } from '../shared/ipc-contract';
import { originOf } from '../node/host/app-protocol';
import { launchSecretMatches } from '../node/host/launch-secret';
import { logger } from '../node/logging';
import type { KioskService } from '../node/kiosk/service';

export function registerIpc(service: KioskService, window: BrowserWindow, origin: string, launchSecret: string): () => void {
  const clientId = `window:${window.id}`;
  const isTrustedSender = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (!frame || event.sender !== window.webContents || frame !== window.webContents.mainFrame) return false;
    return originOf(frame.url) === origin;
  };

  // Only the kiosk page's preload learns the secret; anything else gets null and no hint why.
  ipcMain.handle(LAUNCH_SECRET_CHANNEL, (event) => (isTrustedSender(event) ? launchSecret : null));

  for (const channel of CHANNELS) {
    ipcMain.handle(ipcChannelName(channel), async (event, payload: unknown, secret: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event)) {
        logger('main').warn({ channel }, 'IPC call refused: not the kiosk page');
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Requests are accepted only from the kiosk page.' } };
      }
      if (!launchSecretMatches(secret, launchSecret)) {
        logger('main').warn({ channel }, 'IPC call refused: no or wrong launch secret');
        return {
          ok: false,
          error: { code: 'UNAUTHORIZED', message: 'Requests must carry this launch secret, which only the kiosk page receives.' },
        };
      }
      return service.handle(channel, payload, { clientId });
    });
  }

  const unsubscribe = service.onEvent((target, event, payload) => {
    if (target === clientId && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, { event, payload });
  });
  // A reload (or a renderer crash) ends whatever session the old page had.
  const onNavigate = () => void service.disconnect(clientId);
  window.webContents.on('did-start-navigation', onNavigate);

  return () => {
    unsubscribe();
    ipcMain.removeHandler(LAUNCH_SECRET_CHANNEL);
    for (const channel of CHANNELS) ipcMain.removeHandler(ipcChannelName(channel));
    if (!window.isDestroyed()) window.webContents.off('did-start-navigation', onNavigate);
  };
}
