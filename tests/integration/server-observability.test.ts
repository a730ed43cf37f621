// Issue 9 reproduction: the server's logger was off, so a 500's cause went nowhere; metrics had no latencies.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type LivenessServer } from '../../src/server/app';
import { createLogger } from '../../src/node/logging';
import { fixturesDir, haveFixtures } from '../../src/testkit/fixtures';
import type { FrameAnalysis } from '../../src/shared/analysis';

const lines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let dir: string;
let server: LivenessServer;
let base: string;
let engineCalls = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveness-observability-'));
  server = await createServer({
    db: join(dir, 'server.sqlite'),
    apiKey: 'observability-key',
    logger: createLogger({ name: 'server', destination }),
    // The real engine, wrapped only to count how often the server called it.
    engineFactory: async () => {
      const { createEngine } = await import('../../src/node/engine/index');
      const engine = await createEngine();
      return {
        analyzeImage: async (bytes: Uint8Array): Promise<FrameAnalysis> => {
          engineCalls++;
          return engine.analyzeImage(bytes);
        },
        close: () => engine.close(),
      };
    },
    plugins: [
      {
        name: 'broken-for-test',
        routes: async (app) => {
          app.get('/v3/test-broken/', async () => {
            throw new Error('database row 42 has an unexpected shape');
          });
        },
      },
    ],
  });
  base = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server logs and metrics', () => {
  it('logs the cause of a 500 as a structured line, while the client gets only INTERNAL', async () => {
    const response = await fetch(`${base}/v3/test-broken/`, { headers: { 'x-api-key': 'observability-key' } });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toContain('row 42');
    const logged = lines.find((line) => line.level === 50);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('database row 42 has an unexpected shape');
    expect(logged).toMatchObject({ name: 'server' });
  });

  it('never logs the API key', () => {
    expect(JSON.stringify(lines)).not.toContain('observability-key');
  });

  it.runIf(haveFixtures)('exports request latency per route and engine stage latency as Prometheus histograms', async () => {
    const form = new FormData();
    const photo = readFileSync(join(fixturesDir, 'ageitgey__face_recognition/examples/obama.jpg'));
    form.append('user_image', new Blob([photo], { type: 'image/jpeg' }), 'obama.jpg');
    const check = await fetch(`${base}/v3/passive-liveness/`, {
      method: 'POST',
      body: form,
      headers: { 'x-api-key': 'observability-key' },
    });
    expect(check.status).toBe(200);
    expect(engineCalls).toBe(1);
    const text = await (await fetch(`${base}/metrics`, { headers: { 'x-api-key': 'observability-key' } })).text();
    expect(text).toMatch(/# TYPE liveness_http_request_duration_seconds histogram/);
    expect(text).toMatch(/liveness_http_request_duration_seconds_count\{route="\/v3\/passive-liveness\/",method="POST"\} 1/);
    expect(text).toMatch(/liveness_engine_stage_seconds_count\{stage="total"\} 1/);
    expect(text).toMatch(/liveness_passive_checks_total\{status="[A-Za-z ]+"\} 1/);
  });
});
