// The preload's API object, from the contract's channel and event lists: one invoke wrapper per channel and one
// subscription per event. Kept apart from index.ts so it is tested without Electron.
import {
  API_METHODS,
  EVENT_CHANNEL,
  EVENT_METHODS,
  EVENT_NAMES,
  ipcChannelName,
  type EventName,
  type KioskApi,
} from '../shared/ipc-contract';

/** The part of Electron's ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
}

type Listener = (payload: unknown) => void;

export function buildPreloadApi(ipc: PreloadIpc): KioskApi {
  const listeners = new Map<EventName, Set<Listener>>(EVENT_NAMES.map((event) => [event, new Set()]));
  ipc.on(EVENT_CHANNEL, (_event, message) => {
    const { event, payload } = (message ?? {}) as { event?: unknown; payload?: unknown };
    const set = typeof event === 'string' ? listeners.get(event as EventName) : undefined;
    if (set) for (const listener of set) listener(payload);
  });

  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(API_METHODS)) {
    // Only the payload crosses; the page never names a channel itself.
    api[method] = (payload?: unknown) => ipc.invoke(ipcChannelName(channel), payload ?? {});
  }
  for (const [method, event] of Object.entries(EVENT_METHODS)) {
    api[method] = (listener: Listener) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      listeners.get(event)?.add(listener);
      return () => void listeners.get(event)?.delete(listener);
    };
  }
  return Object.freeze(api) as unknown as KioskApi;
}
