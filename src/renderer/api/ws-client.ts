// The kiosk API over the browser host's WebSocket: the same KioskApi the Electron preload exposes.
import {
  API_METHODS,
  EVENT_METHODS,
  EVENT_NAMES,
  LAUNCH_TOKEN_META,
  LAUNCH_TOKEN_PROTOCOL,
  WS_PATH,
  channels,
  encodeFrameMessage,
  type Envelope,
  type EventName,
  type KioskApi,
  type RequestOf,
} from '../../shared/ipc-contract';

type Pending = (result: Envelope<unknown>) => void;

const CONNECTION_LOST: Envelope<never> = {
  ok: false,
  error: { code: 'NETWORK_ERROR', message: 'The connection to the kiosk service was lost.' },
};

export function createWebSocketApi(url: string = defaultUrl()): KioskApi {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = Object.fromEntries(EVENT_NAMES.map((event) => [event, new Set()])) as Record<EventName, Set<(payload: never) => void>>;

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      // The per-launch secret the host put in this page; without it the host refuses the connection.
      const ws = new WebSocket(url, launchTokenProtocols());
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new Error('websocket error'));
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        for (const settle of pending.values()) settle(CONNECTION_LOST);
        pending.clear();
      };
      ws.onmessage = (message) => {
        if (typeof message.data !== 'string') return;
        const data = JSON.parse(message.data) as { id?: number | null; result?: Envelope<unknown>; event?: EventName; payload?: unknown };
        if (data.event && data.event in listeners) {
          for (const listener of listeners[data.event]) listener(data.payload as never);
          return;
        }
        if (typeof data.id === 'number' && data.result) {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        }
      };
    });
    return opening;
  };

  const send = async (message: (id: number) => string | Uint8Array): Promise<Envelope<unknown>> => {
    let ws: WebSocket;
    try {
      ws = await connect();
    } catch {
      return CONNECTION_LOST;
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws.send(message(id));
    });
  };

  const call = (channel: string) => (payload?: unknown) => send((id) => JSON.stringify({ id, channel, payload: payload ?? {} }));

  const api: Record<string, unknown> = Object.fromEntries(Object.entries(API_METHODS).map(([method, channel]) => [method, call(channel)]));
  // Frames go as one binary message, never base64 JSON.
  api[channels['session.frame'].method] = (request: RequestOf<'session.frame'>) =>
    send((id) => encodeFrameMessage({ id, sessionId: request.sessionId, timestampMs: request.timestampMs }, request.jpeg));
  for (const [method, event] of Object.entries(EVENT_METHODS)) {
    api[method] = (listener: (payload: never) => void) => {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    };
  }
  return api as unknown as KioskApi;
}

function launchTokenProtocols(): string[] {
  const token = document.querySelector(`meta[name="${LAUNCH_TOKEN_META}"]`)?.getAttribute('content');
  return token && /^[0-9a-f]{64}$/.test(token) ? [`${LAUNCH_TOKEN_PROTOCOL}${token}`] : [];
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}
