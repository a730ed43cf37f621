// Issue 9 reproduction 'the WebSocket API trusts the Origin header alone, so any local process that sets it drives
// the whole kiosk API', over real HTTP and WebSocket with the real kiosk service: a connection with the right Origin
// and Host is refused without this launch's secret, and with the secret of an earlier launch on the same port; the
// refusal is logged with its code, never with what was offered.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startKioskHost } from '../../src/node/host/server';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { configureProcessLogger } from '../../src/node/logging';
import { LAUNCH_TOKEN_PROTOCOL, WS_PATH } from '../../src/shared/ipc-contract';

const logged: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    logged.push(String(chunk));
    done();
  },
});

function connect(port: number, protocols: string[]): Promise<{ socket: WebSocket } | { status: number }> {
  const origin = `http://127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, protocols, { headers: { origin } });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('error', reject);
  });
}

describe('browser-kiosk host: the per-launch secret', () => {
  let dir: string;
  let rendererDir: string;
  let kiosk: ComposedKiosk;

  beforeAll(async () => {
    configureProcessLogger({ destination: capture });
    dir = mkdtempSync(join(tmpdir(), 'liveness-launch-secret-'));
    rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') });
  });

  afterAll(async () => {
    await kiosk?.close();
    configureProcessLogger();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the right Origin with no secret, or with the secret of the previous launch on the same port', async () => {
    const first = await startKioskHost({ service: kiosk.service, rendererDir, port: 0 });
    const port = first.port;
    const oldSecret = first.launchToken;
    const opened = await connect(port, [`${LAUNCH_TOKEN_PROTOCOL}${oldSecret}`]);
    expect(opened).toHaveProperty('socket');
    if ('socket' in opened) opened.socket.close();
    await first.close();

    const second = await startKioskHost({ service: kiosk.service, rendererDir, port });
    try {
      expect(second.launchToken).not.toBe(oldSecret);
      expect(await connect(port, [])).toEqual({ status: 401 });
      expect(await connect(port, [`${LAUNCH_TOKEN_PROTOCOL}${oldSecret}`])).toEqual({ status: 401 });
      expect(await connect(port, [oldSecret, second.launchToken])).toEqual({ status: 401 });
      const current = await connect(port, [`${LAUNCH_TOKEN_PROTOCOL}${second.launchToken}`]);
      expect(current).toHaveProperty('socket');
      if ('socket' in current) current.socket.close();
    } finally {
      await second.close();
    }
  });

  it('logs each refusal with its status and code, never the secret offered', () => {
    const refusals = logged
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'kiosk API connection refused');
    expect(refusals).toHaveLength(3);
    expect(refusals[0]).toMatchObject({ component: 'host', status: 401, code: 'UNAUTHORIZED' });
    expect(logged.join('')).not.toMatch(/[0-9a-f]{64}/);
  });
});
