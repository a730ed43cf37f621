// The preload's API object, from the contract's channel and event lists: one invoke wrapper per channel and one
// subscription per event, each call carrying this launch's secret. Kept apart from index.ts so it is tested
// without Electron.
import {
  API_METHODS,
  EVENT_CHANNEL,
  EVENT_METHODS,
  EVENT_NAMES,
  LAUNCH_SECRET_CHANNEL,
  ipcChannelName,
  type EventName,
  type KioskApi,
} from '../shared/ipc-contract';

/** The part of Electron's ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
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

  // Asked once as the preload runs, before any page script; it stays in this closure, the page never sees it.
  const launchSecret = ipc.invoke(LAUNCH_SECRET_CHANNEL).then(
    (secret) => (typeof secret === 'string' ? secret : null),
    () => null,
  );
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(API_METHODS)) {
    // Only the payload crosses; the page never names a channel itself. Main refuses a call without the secret.
    api[method] = async (payload?: unknown) => ipc.invoke(ipcChannelName(channel), payload ?? {}, await launchSecret);
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
