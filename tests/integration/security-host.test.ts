// Security review of the browser-kiosk host, in process with the real kiosk service, over real HTTP and WebSocket:
// no file outside the renderer folder is served whatever the encoding, a rebinding Host or a foreign Origin is
// refused, oversized messages close the socket, and a flood of requests on one connection is refused, not queued.
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_IN_FLIGHT_PER_CONNECTION, startKioskHost, type KioskHost } from '../../src/node/host/server';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { LAUNCH_TOKEN_META, LAUNCH_TOKEN_PROTOCOL, MAX_FRAME_BYTES, WS_PATH } from '../../src/shared/ipc-contract';
import { makeProvisioning } from '../../src/testkit/kiosk-provisioning';

const SECRET = 'not-for-the-browser';

/** A raw GET: the path goes on the wire exactly as written (fetch would normalise the dot segments away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(
  port: number,
  headers: Record<string, string>,
  protocols: string[] = [],
): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, protocols, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('error', reject);
  });
}

describe('browser-kiosk host: security review', () => {
  let dir: string;
  let kiosk: ComposedKiosk;
  let host: KioskHost;
  let origin: string;
  let token: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-security-host-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') });
    kiosk.provision((await makeProvisioning('58203917')).provisioning);
    host = await startKioskHost({ service: kiosk.service, rendererDir, port: 0 });
    origin = `http://127.0.0.1:${host.port}`;
    token = [`${LAUNCH_TOKEN_PROTOCOL}${host.launchToken}`];
  });

  afterAll(async () => {
    await host?.close();
    await kiosk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves nothing outside the renderer folder, however the path is spelled', async () => {
    expect((await rawGet(host.port, '/index.html')).status).toBe(200);
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/a/../../secret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const answer = await rawGet(host.port, path);
      expect([400, 404], `${path} answered ${answer.status}`).toContain(answer.status);
      expect(answer.body).not.toContain(SECRET);
    }
  });

  it('refuses a foreign Origin and a rebinding Host header', async () => {
    expect(await connect(host.port, { origin: 'http://evil.example' }, token)).toEqual({ status: 403 });
    expect(await connect(host.port, { origin: 'http://evil.example', host: 'evil.example' }, token)).toEqual({ status: 403 });
    expect(await connect(host.port, { origin: `http://evil.example:${host.port}`, host: `evil.example:${host.port}` }, token)).toEqual({
      status: 403,
    });
  });

  it("reproduction 'any local process that sets Origin drives the kiosk API': without the per-launch token it is refused", async () => {
    expect(await connect(host.port, { origin })).toEqual({ status: 401 });
    expect(await connect(host.port, { origin }, [`${LAUNCH_TOKEN_PROTOCOL}${'0'.repeat(64)}`])).toEqual({ status: 401 });
    expect(await connect(host.port, { origin }, [`${LAUNCH_TOKEN_PROTOCOL}${host.launchToken.slice(1)}`])).toEqual({ status: 401 });
    const opened = await connect(host.port, { origin }, token);
    expect('socket' in opened).toBe(true);
    if ('socket' in opened) opened.socket.close();
  });

  it('puts the per-launch token only in the page it serves, never cached', async () => {
    const page = await fetch(`${origin}/`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain(`<meta name="${LAUNCH_TOKEN_META}" content="${host.launchToken}">`);
  });

  it("reproduction '--host 0.0.0.0 opens the API to the LAN': anything but loopback is refused without TLS and client certificates", async () => {
    await expect(
      startKioskHost({ service: kiosk.service, rendererDir: join(dir, 'renderer'), host: '0.0.0.0', port: 0 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('closes the socket on a message larger than a frame may be', async () => {
    const opened = await connect(host.port, { origin }, token);
    if (!('socket' in opened)) throw new Error(`the kiosk origin was refused (${opened.status})`);
    const code = await new Promise<number>((resolve) => {
      opened.socket.once('close', (closeCode) => resolve(closeCode));
      opened.socket.send(Buffer.alloc(MAX_FRAME_BYTES + 64 * 1024));
    });
    expect(code).toBe(1009);
  });

  it('answers a flood of requests on one connection with RATE_LIMITED instead of queueing them all', async () => {
    const opened = await connect(host.port, { origin }, token);
    if (!('socket' in opened)) throw new Error(`the kiosk origin was refused (${opened.status})`);
    const { socket } = opened;
    const total = MAX_IN_FLIGHT_PER_CONNECTION * 3;
    const replies: { id: number; result: { ok: boolean; error?: { code: string; message: string } } }[] = [];
    const allAnswered = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        replies.push(JSON.parse(data.toString()));
        if (replies.length === total) resolve();
      }),
    );
    // Wrong PINs: each one is checked in turn (scrypt), so they pile up behind each other.
    for (let id = 0; id < total; id++) socket.send(JSON.stringify({ id, channel: 'staff.unlock', payload: { pin: '000000' } }));
    await allAnswered;
    socket.close();
    const refusedByHost = replies.filter((reply) => reply.result.error?.message.includes('in flight'));
    // At most the cap (plus any answered while the burst was still arriving) got through to the service.
    expect(refusedByHost.length).toBeGreaterThanOrEqual(total - 2 * MAX_IN_FLIGHT_PER_CONNECTION);
    expect(refusedByHost.every((reply) => reply.result.error?.code === 'RATE_LIMITED')).toBe(true);
    expect(new Set(replies.map((reply) => reply.id)).size).toBe(total);
  });
});
