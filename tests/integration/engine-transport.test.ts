// The worker round trip: an encoded still crosses to the worker as it is and is decoded there once; the answer is
// the one the same pipeline gives in-process, and the timings say where the time between frames went.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStill } from '../../src/node/engine/decode';
import { createEngine, type WorkerEngine } from '../../src/node/engine/index';
import { loadPipeline } from '../../src/node/engine/sessions';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');
const obama = path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg');

let engine: WorkerEngine;
beforeAll(async () => {
  engine = await createEngine();
});
afterAll(async () => {
  await engine?.close();
});

describe('worker round trip', () => {
  it('decodes a still inside the worker and answers exactly what the in-process pipeline answers', async () => {
    const jpeg = new Uint8Array(await readFile(obama));
    const inWorker = await engine.analyzeImage(jpeg);
    // The caller keeps its bytes (the kiosk stores the JPEG as evidence after the analysis).
    expect(jpeg.length).toBeGreaterThan(0);
    expect(jpeg[0]).toBe(0xff);
    expect(inWorker.timings.decode).toBeGreaterThan(0);

    const pipeline = await loadPipeline();
    const inProcess = await pipeline.analyze(await decodeStill(jpeg));
    expect(inWorker.faces).toHaveLength(1);
    expect(inWorker.faces[0].landmarks).toEqual(inProcess.faces[0].landmarks);
    expect(inWorker.faces[0].pad).toEqual(inProcess.faces[0].pad);
  });

  it('reports the time to the worker and back separately from the analysis', async () => {
    const analysis = await engine.analyzeImage(new Uint8Array(await readFile(obama)));
    for (const key of ['to_worker', 'from_worker', 'decode', 'total']) expect(analysis.timings[key], key).toBeGreaterThanOrEqual(0);
  });

  it('refuses what is not an image before waking a worker, and a damaged JPEG with its code from the worker', async () => {
    await expect(engine.analyzeImage(new TextEncoder().encode('%PDF-1.7 not a face'))).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    await expect(engine.analyzeImage(new Uint8Array(0))).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    const jpeg = new Uint8Array(await readFile(obama));
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 3));
    await expect(engine.analyzeImage(truncated)).rejects.toMatchObject({ code: 'CORRUPT_IMAGE' });
    // The worker survives a bad file: the next frame is analysed.
    expect((await engine.analyzeImage(jpeg)).faces).toHaveLength(1);
    expect(engine.restarts).toBe(0);
  });

  it('reports how long the worker took to open its models', () => {
    expect(engine.modelLoadMs).toBeGreaterThan(0);
  });
});
