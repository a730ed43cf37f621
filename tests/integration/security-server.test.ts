// Security review of the central API, the sync client and the stores, over real HTTP and real SQLite files:
// authentication before the body is read, no caching or sniffing of personal data, bounded request time,
// owner-only database files, webhooks that do not follow redirects, and no plain-http sync across the network.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type DecisionStore } from '../../src/node/store';
import { checkServerUrl, createSyncClient } from '../../src/node/sync/client';
import { createServer, type LivenessServer } from '../../src/server';
import { makeResult } from '../../src/testkit/fault-support';

const API_KEY = 'security-review-key';

interface Receiver {
  server: Server;
  url: string;
  hits: string[];
}

async function receiver(answer: (request: IncomingMessage) => { status: number; headers?: Record<string, string> }): Promise<Receiver> {
  const hits: string[] = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hits.push(body);
      const { status, headers } = answer(request);
      response.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, hits };
}

describe('central API and stores: security review', () => {
  let dir: string;
  let server: LivenessServer;
  let base: string;
  let store: DecisionStore;
  let elsewhere: Receiver;
  let redirecting: Receiver;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-security-server-'));
    elsewhere = await receiver(() => ({ status: 200 }));
    redirecting = await receiver(() => ({ status: 307, headers: { location: elsewhere.url } }));
    server = await createServer({
      db: join(dir, 'server.sqlite'),
      apiKey: API_KEY,
      enrolTokens: ['sec-token'],
      webhooks: [{ url: redirecting.url, secret: 'hook-secret' }],
      webhookPollMs: 60_000,
    });
    base = await server.listen({ port: 0 });
    store = openStore({ path: join(dir, 'kiosk.sqlite') });
  });

  afterAll(async () => {
    store?.close();
    await server?.close();
    for (const r of [elsewhere, redirecting]) await new Promise((resolve) => r?.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unauthenticated request before reading its body (401, not a JSON parse error)', async () => {
    const broken = { 'content-type': 'application/json' };
    const unsigned = await fetch(`${base}/v1/decisions`, { method: 'POST', headers: broken, body: '{"records": [' });
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error.code).toBe('UNAUTHORIZED');
    const unknownDevice = await fetch(`${base}/v1/decisions`, {
      method: 'POST',
      headers: { ...broken, 'x-device-id': 'dev_nobody', 'x-timestamp': String(Date.now()), 'x-signature': 'AAAA' },
      body: '{"records": [',
    });
    expect(unknownDevice.status).toBe(401);
    const noKey = await fetch(`${base}/v1/review/some-session`, { method: 'POST', headers: broken, body: '{"decision":' });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses JSON bodies carrying __proto__ or constructor.prototype (prototype poisoning)', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
    for (const body of [
      '{"decision": "Approve", "reviewer": "a", "__proto__": {"isAdmin": true}}',
      '{"decision": "Approve", "reviewer": "a", "constructor": {"prototype": {"isAdmin": true}}}',
    ]) {
      const response = await fetch(`${base}/v1/review/no-such-session`, { method: 'POST', headers, body });
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('INVALID_PAYLOAD');
    }
  });

  it('answers with no-store and nosniff, and bounds how long a request may take', async () => {
    for (const response of [
      await fetch(`${base}/v3/sessions`, { headers: { 'x-api-key': API_KEY } }),
      await fetch(`${base}/v3/sessions`),
    ]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      await response.arrayBuffer();
    }
    expect(server.app.server.requestTimeout).toBeGreaterThan(0);
  });

  it('keeps both SQLite files (the server one holds images in the clear) readable by their owner only', () => {
    for (const file of [join(dir, 'server.sqlite'), join(dir, 'kiosk.sqlite'), join(dir, 'kiosk.sqlite-wal')]) {
      expect({ file, mode: (statSync(file).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
  });

  it('does not follow a webhook redirect: the signed decision never reaches the other host', async () => {
    store.recordDecision(makeResult('sec-1'));
    const report = await createSyncClient({ store, serverUrl: base, enrolToken: 'sec-token' }).drainOnce();
    expect(report.accepted).toBe(1);
    await server.flushWebhooks();
    expect(redirecting.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
    const [delivery] = await server.storage.listWebhookDeliveries('sec-1');
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, last_status: 307 });
  });

  it('the sync client refuses plain http to another machine (decisions and face images would travel in clear)', () => {
    expect(() => createSyncClient({ store, serverUrl: 'http://10.1.2.3:8787' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => checkServerUrl('http://api.example.org')).toThrow(/https/);
    expect(() => checkServerUrl('ftp://127.0.0.1')).toThrow(/https/);
    expect(checkServerUrl('https://api.example.org').origin).toBe('https://api.example.org');
    for (const local of ['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:2'])
      expect(checkServerUrl(local).protocol).toBe('http:');
  });
});
