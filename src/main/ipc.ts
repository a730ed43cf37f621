// Every contract channel goes through ONE ipcMain.handle wrapper: the sender must be our window's main frame on our
// origin, and the service parses every payload against the contract. Electron glue only.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, EVENT_CHANNEL, ipcChannelName, type Envelope } from '../shared/ipc-contract';
import { originOf } from '../node/host/app-protocol';
import type { KioskService } from '../node/kiosk/service';

export function registerIpc(service: KioskService, window: BrowserWindow, origin: string): () => void {
  const clientId = `window:${window.id}`;
  const isTrustedSender = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (!frame || event.sender !== window.webContents || frame !== window.webContents.mainFrame) return false;
    return originOf(frame.url) === origin;
  };

  for (const channel of CHANNELS) {
    ipcMain.handle(ipcChannelName(channel), async (event, payload: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Requests are accepted only from the kiosk page.' } };
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
    for (const channel of CHANNELS) ipcMain.removeHandler(ipcChannelName(channel));
    if (!window.isDestroyed()) window.webContents.off('did-start-navigation', onNavigate);
  };
}
