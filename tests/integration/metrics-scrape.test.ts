// Prometheus over real HTTP, with the real engine: the central server's /metrics has a latency histogram per route
// and per engine stage (detector, mesh, PAD, decision), and the browser-kiosk host's /metrics has the kiosk's own
// engine-stage and decision histograms after a real session. Counts only: no timing is asserted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type LivenessServer } from '../../src/server/app';
import { startKioskHost, type KioskHost } from '../../src/node/host/server';
import { composeKiosk, type ComposedKiosk } from '../../src/node/kiosk/compose';
import { fixturesDir, haveFixtures } from '../../src/testkit/fixtures';
import { CONSENT_VERSION } from '../../src/shared/ipc-contract';

const API_KEY = 'metrics-scrape-key';
const ENGINE_STAGES = ['detect', 'landmarks', 'pad', 'total'];

function count(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name}_count{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.runIf(haveFixtures)('metrics scraped over HTTP', () => {
  let dir: string;
  let photo: Buffer;
  let server: LivenessServer;
  let base: string;
  let kiosk: ComposedKiosk;
  let host: KioskHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-metrics-scrape-'));
    photo = readFileSync(join(fixturesDir, 'ageitgey__face_recognition/examples/obama.jpg'));
    server = await createServer({ db: join(dir, 'server.sqlite'), apiKey: API_KEY });
    base = await server.listen({ port: 0 });
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kiosk</title>');
    kiosk = await composeKiosk({ dbPath: join(dir, 'kiosk.sqlite') });
    host = await startKioskHost({ service: kiosk.service, metrics: kiosk.metrics, rendererDir, port: 0 });
  });

  afterAll(async () => {
    await host?.close();
    await kiosk?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server exports a latency histogram per route and per engine stage, decision included', async () => {
    const form = new FormData();
    form.append('user_image', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'obama.jpg');
    expect((await fetch(`${base}/v3/passive-liveness/`, { method: 'POST', body: form, headers: { 'x-api-key': API_KEY } })).status).toBe(
      200,
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`, { headers: { 'x-api-key': API_KEY } })).text();
    expect(text).toContain('# TYPE liveness_http_request_duration_seconds histogram');
    expect(count(text, 'liveness_http_request_duration_seconds', 'route="/v3/passive-liveness/",method="POST"')).toBe(1);
    expect(count(text, 'liveness_http_request_duration_seconds', 'route="/healthz",method="GET"')).toBe(1);
    expect(text).toContain('# TYPE liveness_engine_stage_seconds histogram');
    for (const stage of [...ENGINE_STAGES, 'decision'])
      expect(count(text, 'liveness_engine_stage_seconds', `stage="${stage}"`), stage).toBe(1);
  });

  it('the kiosk host exports engine-stage and decision histograms after a session', async () => {
    const context = { clientId: 'metrics-test' };
    const started = await kiosk.service.handle('session.start', {}, context);
    const sessionId = (started as { value: { sessionId: string } }).value.sessionId;
    await kiosk.service.handle('session.consent', { sessionId, accepted: true, consentVersion: CONSENT_VERSION }, context);
    const jpeg = new Uint8Array(photo);
    for (const timestampMs of [10, 80])
      expect(await kiosk.service.handle('session.frame', { sessionId, timestampMs, jpeg }, context)).toMatchObject({ ok: true });
    expect(await kiosk.service.handle('session.finish', { sessionId }, context)).toMatchObject({ ok: true });

    const response = await fetch(`http://127.0.0.1:${host.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE liveness_engine_stage_seconds histogram');
    for (const stage of ENGINE_STAGES)
      expect(count(text, 'liveness_engine_stage_seconds', `stage="${stage}"`), stage).toBeGreaterThanOrEqual(1);
    expect(count(text, 'liveness_engine_stage_seconds', 'stage="session_frame"')).toBe(2);
    expect(count(text, 'liveness_engine_stage_seconds', 'stage="decision"')).toBe(1);
  });
});
