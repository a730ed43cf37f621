// The preload with `electron` mocked: it exposes one object, under one name, whose keys are exactly the contract's
// method names (each a plain function), never ipcRenderer or a generic invoke; it asks main for the launch secret
// once, and each method invokes its own kiosk: channel with the payload and that secret, which the exposed object
// never shows; events reach only subscribers of that event.
// What only a real Electron run proves: that contextBridge copies these functions into the isolated world and
// that the page cannot reach ipcRenderer or the secret through them (contextIsolation + sandbox are checked in
// electron-window).
import { describe, expect, it, vi } from 'vitest';
import {
  API_METHODS,
  EVENT_CHANNEL,
  KIOSK_API_METHOD_NAMES,
  LAUNCH_SECRET_CHANNEL,
  channels,
  ipcChannelName,
} from '../../src/shared/ipc-contract';

const SECRET = 'c'.repeat(64);

const exposed: { name: string; api: Record<string, unknown> }[] = [];
const invoked: { channel: string; payload: unknown; secret: unknown }[] = [];
const secretAsked: number[] = [];
let eventListener: ((event: unknown, message: unknown) => void) | null = null;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push({ name, api }) },
  ipcRenderer: {
    invoke: (channel: string, payload: unknown, secret: unknown) => {
      if (channel === LAUNCH_SECRET_CHANNEL) {
        secretAsked.push(1);
        return Promise.resolve(SECRET);
      }
      invoked.push({ channel, payload, secret });
      return Promise.resolve({ ok: true, value: null });
    },
    on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
      if (channel === EVENT_CHANNEL) eventListener = listener;
    },
    send: () => {
      throw new Error('the preload must not use send');
    },
  },
}));

await import('../../src/preload/index');

describe('preload (electron mocked)', () => {
  it('exposes one frozen object named "kiosk" with exactly the contract method names, all functions', () => {
    expect(exposed.map((entry) => entry.name)).toEqual(['kiosk']);
    const api = exposed[0].api;
    expect(Object.keys(api).sort()).toEqual([...KIOSK_API_METHOD_NAMES].sort());
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
    expect(Object.isFrozen(api)).toBe(true);
    for (const forbidden of ['invoke', 'send', 'on', 'ipcRenderer']) expect(api).not.toHaveProperty(forbidden);
  });

  it('each method invokes its own channel with the payload, and only that channel', async () => {
    const api = exposed[0].api as Record<string, (payload?: unknown) => Promise<unknown>>;
    for (const [method, channel] of Object.entries(API_METHODS)) {
      invoked.length = 0;
      await api[method]({ marker: method });
      expect(invoked).toEqual([{ channel: ipcChannelName(channel), payload: { marker: method }, secret: SECRET }]);
    }
    invoked.length = 0;
    await api[channels['config.get'].method]();
    expect(invoked).toEqual([{ channel: ipcChannelName('config.get'), payload: {}, secret: SECRET }]);
  });

  it('asks for the launch secret once, as it loads, and never puts it on the exposed object', () => {
    expect(secretAsked).toEqual([1]);
    expect(JSON.stringify(Object.entries(exposed[0].api).map(([key, value]) => [key, String(value)]))).not.toContain(SECRET);
  });

  it('delivers an event to its subscribers only, and stops after unsubscribe', () => {
    const api = exposed[0].api as Record<string, (listener: unknown) => () => void>;
    const updates: unknown[] = [];
    const results: unknown[] = [];
    const stop = api.onUpdate((payload: unknown) => updates.push(payload));
    api.onResult((payload: unknown) => results.push(payload));
    eventListener?.({}, { event: 'session.update', payload: 1 });
    eventListener?.({}, { event: 'not-an-event', payload: 2 });
    eventListener?.({}, null);
    stop();
    eventListener?.({}, { event: 'session.update', payload: 3 });
    expect(updates).toEqual([1]);
    expect(results).toEqual([]);
    expect(() => api.onUpdate('not a function')).toThrow(TypeError);
  });
});
