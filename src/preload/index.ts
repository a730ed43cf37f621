// Preload: exposes named kiosk methods to the page through contextBridge, never ipcRenderer itself. Frames cross as
// Uint8Array (structured clone, binary), never base64.
import { contextBridge, ipcRenderer } from 'electron';
import { API_METHODS, EVENT_CHANNEL, ipcChannelName, type EventName, type KioskApi } from '../shared/ipc-contract';

type Listener = (payload: unknown) => void;
const listeners: Record<EventName, Set<Listener>> = { 'session.update': new Set(), 'session.result': new Set() };

ipcRenderer.on(EVENT_CHANNEL, (_event, message: { event?: EventName; payload?: unknown }) => {
  const set = message?.event ? listeners[message.event] : undefined;
  if (set) for (const listener of set) listener(message.payload);
});

function subscribe(event: EventName, listener: Listener): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  listeners[event].add(listener);
  return () => void listeners[event].delete(listener);
}

const invoke = (channel: (typeof API_METHODS)[keyof typeof API_METHODS]) => (payload?: unknown) => ipcRenderer.invoke(ipcChannelName(channel), payload ?? {});

const api: KioskApi = {
  startSession: invoke(API_METHODS.startSession),
  giveConsent: invoke(API_METHODS.giveConsent),
  pushFrame: invoke(API_METHODS.pushFrame),
  markFlashStart: invoke(API_METHODS.markFlashStart),
  finishSession: invoke(API_METHODS.finishSession),
  abandonSession: invoke(API_METHODS.abandonSession),
  retrySession: invoke(API_METHODS.retrySession),
  getConfig: invoke(API_METHODS.getConfig),
  setConfig: invoke(API_METHODS.setConfig),
  unlockStaff: invoke(API_METHODS.unlockStaff),
  setStaffPin: invoke(API_METHODS.setStaffPin),
  lockStaff: invoke(API_METHODS.lockStaff),
  queueStatus: invoke(API_METHODS.queueStatus),
  recentDecisions: invoke(API_METHODS.recentDecisions),
  getPrivacyFacts: invoke(API_METHODS.getPrivacyFacts),
  syncStatus: invoke(API_METHODS.syncStatus),
  staffAudit: invoke(API_METHODS.staffAudit),
  onUpdate: (listener) => subscribe('session.update', listener as Listener),
  onResult: (listener) => subscribe('session.result', listener as Listener),
};

contextBridge.exposeInMainWorld('kiosk', api);
