// The API object the renderer talks to: Electron's preload bridge when present, otherwise the browser host's WebSocket.
import type { KioskApi } from '../../shared/ipc-contract';
import { createWebSocketApi } from './ws-client';

declare global {
  interface Window {
    kiosk?: KioskApi;
  }
}

export function kioskApi(): KioskApi {
  return window.kiosk ?? createWebSocketApi();
}
