// Preload: exposes the kiosk's named methods to the page through contextBridge, never ipcRenderer itself. The
// object is built from the contract's channel list, so a new channel needs no edit here. Frames cross as
// Uint8Array (structured clone, binary), never base64.
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './build-api';

contextBridge.exposeInMainWorld('kiosk', buildPreloadApi(ipcRenderer));
