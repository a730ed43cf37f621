// Electron main's IPC glue with `electron` mocked (as electron/fiddle tests its main process): every contract
// channel is registered once, only our window's main frame on our origin is answered, every call must carry this
// launch's secret (handed out to that main frame alone), events reach only the window that owns the session, and
// unregistering removes every handler.
// What only a real Electron run proves: that Electron fills `senderFrame` and `mainFrame` as these fakes do, that
// a sandboxed renderer cannot forge them, that ipcRenderer.invoke passes the secret as the handler's third argument,
// and that the preload's handshake finishes before the page calls (the e2e Electron test covers the round trip where
// a binary exists).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENT_CHANNEL, LAUNCH_SECRET_CHANNEL, ipcChannelName } from '../../src/shared/ipc-contract';

type Handler = (event: unknown, payload?: unknown, secret?: unknown) => Promise<unknown> | unknown;
const handlers = new Map<string, Handler>();

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerIpc } = await import('../../src/main/ipc');

const ORIGIN = 'app://kiosk';
const SECRET = 'a'.repeat(64);

function fakeWindow() {
  const mainFrame = { url: `${ORIGIN}/index.html` };
  const sent: unknown[] = [];
  const listeners = new Map<string, () => void>();
  const webContents = {
    mainFrame,
    send: (channel: string, message: unknown) => sent.push({ channel, message }),
    on: (name: string, listener: () => void) => listeners.set(name, listener),
    off: (name: string) => listeners.delete(name),
  };
  return { window: { id: 7, webContents, isDestroyed: () => false }, mainFrame, sent, listeners };
}

function fakeService() {
  const calls: { channel: string; payload: unknown; clientId: string }[] = [];
  let emit: ((clientId: string, event: string, payload: unknown) => void) | null = null;
  const disconnected: string[] = [];
  const service = {
    handle: (channel: string, payload: unknown, context: { clientId: string }) => {
      calls.push({ channel, payload, clientId: context.clientId });
      return Promise.resolve({ ok: true, value: 'answered' });
    },
    onEvent: (listener: typeof emit) => {
      emit = listener;
      return () => (emit = null);
    },
    disconnect: (clientId: string) => {
      disconnected.push(clientId);
      return Promise.resolve();
    },
  };
  return { service, calls, disconnected, emit: (clientId: string, event: string, payload: unknown) => emit?.(clientId, event, payload) };
}

describe('Electron IPC glue (electron mocked)', () => {
  beforeEach(() => handlers.clear());

  it('registers exactly one handler per contract channel, all under the kiosk: prefix', () => {
    const { window } = fakeWindow();
    const { service } = fakeService();
    registerIpc(service as never, window as never, ORIGIN, SECRET);
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS.map(ipcChannelName), LAUNCH_SECRET_CHANNEL].sort());
  });

  it('answers the main frame of our window on our origin, and passes the payload to the service unchanged', async () => {
    const { window, mainFrame } = fakeWindow();
    const { service, calls } = fakeService();
    registerIpc(service as never, window as never, ORIGIN, SECRET);
    const answer = await handlers.get(ipcChannelName('config.get'))!(
      { sender: window.webContents, senderFrame: mainFrame },
      { x: 1 },
      SECRET,
    );
    expect(answer).toEqual({ ok: true, value: 'answered' });
    expect(calls).toEqual([{ channel: 'config.get', payload: { x: 1 }, clientId: 'window:7' }]);
  });

  it.each([
    ['another webContents', (w: ReturnType<typeof fakeWindow>) => ({ sender: {}, senderFrame: w.mainFrame })],
    [
      'a subframe of our window',
      (w: ReturnType<typeof fakeWindow>) => ({ sender: w.window.webContents, senderFrame: { url: `${ORIGIN}/x` } }),
    ],
    [
      'no sender frame (a frame that navigated away)',
      (w: ReturnType<typeof fakeWindow>) => ({ sender: w.window.webContents, senderFrame: null }),
    ],
  ])('refuses %s with FORBIDDEN and never reaches the service', async (_name, eventOf) => {
    const fake = fakeWindow();
    const { service, calls } = fakeService();
    registerIpc(service as never, fake.window as never, ORIGIN, SECRET);
    const answer = await handlers.get(ipcChannelName('staff.unlock'))!(eventOf(fake), { pin: '123456' }, SECRET);
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(calls).toHaveLength(0);
  });

  it('refuses our main frame once it shows another origin (a navigation the window did not block)', async () => {
    const fake = fakeWindow();
    const { service, calls } = fakeService();
    registerIpc(service as never, fake.window as never, ORIGIN, SECRET);
    fake.mainFrame.url = 'https://evil.example/';
    const answer = await handlers.get(ipcChannelName('config.get'))!(
      { sender: fake.window.webContents, senderFrame: fake.mainFrame },
      {},
      SECRET,
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(calls).toHaveLength(0);
  });

  it('sends events only for its own client, and a navigation ends the page session', () => {
    const fake = fakeWindow();
    const { service, emit, disconnected } = fakeService();
    registerIpc(service as never, fake.window as never, ORIGIN, SECRET);
    emit('window:7', 'session.update', { a: 1 });
    emit('someone-else', 'session.update', { a: 2 });
    expect(fake.sent).toEqual([{ channel: EVENT_CHANNEL, message: { event: 'session.update', payload: { a: 1 } } }]);
    fake.listeners.get('did-start-navigation')?.();
    expect(disconnected).toEqual(['window:7']);
  });

  it('hands the launch secret to our main frame on our origin only', async () => {
    const fake = fakeWindow();
    const { service } = fakeService();
    registerIpc(service as never, fake.window as never, ORIGIN, SECRET);
    const ask = handlers.get(LAUNCH_SECRET_CHANNEL)!;
    expect(await ask({ sender: fake.window.webContents, senderFrame: fake.mainFrame })).toBe(SECRET);
    expect(await ask({ sender: {}, senderFrame: fake.mainFrame })).toBeNull();
    expect(await ask({ sender: fake.window.webContents, senderFrame: { url: `${ORIGIN}/x` } })).toBeNull();
    fake.mainFrame.url = 'https://evil.example/';
    expect(await ask({ sender: fake.window.webContents, senderFrame: fake.mainFrame })).toBeNull();
  });

  it.each([
    ['no secret', undefined],
    ['an empty secret', ''],
    ['an old launch secret', 'b'.repeat(64)],
    ['a prefix of the secret', SECRET.slice(1)],
    ['a secret that is not a string', { secret: SECRET }],
  ])('refuses our own main frame with UNAUTHORIZED when it presents %s, and never reaches the service', async (_name, secret) => {
    const fake = fakeWindow();
    const { service, calls } = fakeService();
    registerIpc(service as never, fake.window as never, ORIGIN, SECRET);
    const answer = await handlers.get(ipcChannelName('config.get'))!(
      { sender: fake.window.webContents, senderFrame: fake.mainFrame },
      {},
      secret,
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(calls).toHaveLength(0);
  });

  it('unregistering removes every channel handler', () => {
    const { window } = fakeWindow();
    const { service } = fakeService();
    const unregister = registerIpc(service as never, window as never, ORIGIN, SECRET);
    unregister();
    expect(handlers.size).toBe(0);
  });
});
