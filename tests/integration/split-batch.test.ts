// The iris model's two eyes shared between a helper thread and the caller (SplitBatchSession): the pipeline's
// answers are exactly those of the inline model on stills and on tracked camera frames, the thread takes the items
// the caller leaves it, a thread that dies fails only its batch and is replaced, a model that cannot open fails at
// once with its own error, and the helper thread never keeps the process alive.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameAnalysis } from '../../src/shared/analysis';
import { benchFrames, clipSequences } from '../../src/cli/bench/frames';
import { modelsDir } from '../../src/node/engine/model-store';
import { FramePipeline, PIPELINE_MODELS, type ModelSession, type PipelineSessions } from '../../src/node/engine/pipeline';
import { loadPipeline, openSession } from '../../src/node/engine/sessions';
import { SplitBatchSession } from '../../src/node/engine/split-batch';
import { createEngine } from '../../src/node/engine/index';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.LIVENESS_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures');

let threaded: FramePipeline;
let inline: FramePipeline;
beforeAll(async () => {
  [threaded, inline] = await Promise.all([loadPipeline({ irisThread: true }), loadPipeline({ irisThread: false })]);
});
afterAll(async () => {
  await Promise.all([threaded?.close(), inline?.close()]);
});

/** Everything but the timings, which differ by design. */
const answer = ({ timings: _timings, ...rest }: FrameAnalysis) => rest;

function irisInput(): Record<string, ort.Tensor> {
  const data = Float32Array.from({ length: 2 * 64 * 64 * 3 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37));
  return { input: new ort.Tensor('float32', data, [2, 64, 64, 3]) };
}

describe('the iris model shared with a helper thread', () => {
  it("gives the inline pipeline's answers exactly, on stills and on tracked camera frames", async () => {
    const stills = await benchFrames(24);
    for (const frame of stills) expect(answer(await threaded.analyze(frame))).toEqual(answer(await inline.analyze(frame)));
    const [sequence] = await clipSequences(20);
    for (const [i, frame] of sequence.entries()) {
      const options = { trackId: 'split-batch', timestampMs: i * 66 };
      const [a, b] = [await threaded.analyze(frame, options), await inline.analyze(frame, options)];
      expect(answer(a)).toEqual(answer(b));
      expect(a.faces[0]?.landmarks.length).toBe(468 + 10);
    }
  }, 120_000);

  it('the helper thread takes the items the caller leaves it; the caller runs what the thread has not started', async () => {
    const session = await SplitBatchSession.open({ model: 'iris', maxItems: 2, load: {} });
    try {
      const expected = (await (await openSession('iris')).run(irisInput()))[session.outputNames[0]].data;
      // Finished at once: the caller claims both eyes before the thread wakes, or the thread has taken some.
      expect((await session.run(irisInput()))[session.outputNames[0]].data).toEqual(expected);
      // Left to the thread while the caller is busy elsewhere: the thread runs both.
      const before = { ...session.itemsRun };
      const started = session.start(irisInput());
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await started.finish())[session.outputNames[0]].data).toEqual(expected);
      expect(session.itemsRun.thread - before.thread).toBe(2);
      expect(session.itemsRun.caller - before.caller).toBe(0);
      expect(() => session.start({ input: new ort.Tensor('float32', new Float32Array(3 * 64 * 64 * 3), [3, 64, 64, 3]) })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    } finally {
      await session.close();
    }
  }, 60_000);

  it('a thread that dies with an item fails that batch with ENGINE_FAILURE, and a new thread takes over', async () => {
    const session = await SplitBatchSession.open({ model: 'iris', maxItems: 2, load: {} });
    try {
      const expected = (await (await openSession('iris')).run(irisInput()))[session.outputNames[0]].data;
      session.crashThreadOnNextItemForTest();
      const started = session.start(irisInput());
      await new Promise((resolve) => setTimeout(resolve, 500)); // the thread has claimed an eye and died by now
      await expect(started.finish()).rejects.toMatchObject({ code: 'ENGINE_FAILURE' });
      // Until the replacement thread has opened its model the caller runs the items itself: answers stay right.
      for (let i = 0; i < 3; i++) expect((await session.run(irisInput()))[session.outputNames[0]].data).toEqual(expected);
      const before = session.itemsRun.thread;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const later = session.start(irisInput());
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await later.finish())[session.outputNames[0]].data).toEqual(expected);
      expect(session.itemsRun.thread - before).toBe(2);
    } finally {
      await session.close();
    }
    expect(() => session.start(irisInput())).toThrow(expect.objectContaining({ code: 'ENGINE_FAILURE' }));
  }, 60_000);

  it('closing while the thread is inside the model waits for it to leave instead of aborting the process', async () => {
    // Terminating a thread inside onnxruntime aborts the whole process (the binding throws a C++ exception it
    // cannot hand to JavaScript): this child would exit with SIGABRT if close() did not stop the helper first.
    const script = `
      import * as ort from 'onnxruntime-node';
      import { SplitBatchSession } from ${JSON.stringify(path.join(repoRoot, 'src/node/engine/split-batch.ts'))};
      const input = () => ({ input: new ort.Tensor('float32', new Float32Array(2 * 64 * 64 * 3).fill(0.5), [2, 64, 64, 3]) });
      let closed = 0;
      for (let i = 0; i < 8; i++) {
        const session = await SplitBatchSession.open({ model: 'iris', maxItems: 2, load: {} });
        session.start(input()); // never finished: the thread is on the eyes when close() comes
        await new Promise((resolve) => setTimeout(resolve, 1 + (i % 3)));
        await session.close();
        closed++;
      }
      console.log('closed', closed);
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('closed 8');
  }, 90_000);

  it("a frame whose PAD work fails ends its iris run: the next frame's irises are not refused as a batch in flight", async () => {
    const iris = await SplitBatchSession.open({ model: 'iris', maxItems: 2, load: {} });
    const sessions = Object.fromEntries(
      await Promise.all(PIPELINE_MODELS.map(async (name) => [name, name === 'iris' ? iris : await openSession(name)] as const)),
    ) as unknown as PipelineSessions;
    let failNext = true;
    const liveness = sessions.liveness;
    const flaky: ModelSession = {
      outputNames: liveness.outputNames,
      run: (feeds) => (failNext ? ((failNext = false), Promise.reject(new Error('liveness model failed'))) : liveness.run(feeds)),
    };
    const pipeline = new FramePipeline({ ...sessions, liveness: flaky });
    try {
      const [still] = await benchFrames(1);
      await expect(pipeline.analyze(still)).rejects.toThrow('liveness model failed');
      expect((await pipeline.analyze(still)).faces[0].landmarks.length).toBe(468 + 10);
    } finally {
      await pipeline.close();
    }
  }, 60_000);

  it("a model that fails its integrity check is refused at open with the model store's own error", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'split-batch-'));
    try {
      await copyFile(path.join(modelsDir(), 'manifest.json'), path.join(dir, 'manifest.json'));
      const bytes = await readFile(path.join(modelsDir(), 'iris.onnx'));
      bytes[bytes.length - 1] ^= 0xff;
      await writeFile(path.join(dir, 'iris.onnx'), bytes);
      await expect(SplitBatchSession.open({ model: 'iris', maxItems: 2, load: { modelsDir: dir } })).rejects.toMatchObject({
        code: 'MODEL_INTEGRITY',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an engine worker that crashes while its helper is inside the model is restarted; the process lives on', async () => {
    // The worker stops its helpers before it dies (worker.ts); without that this child aborts with SIGABRT.
    const photo = path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg');
    const script = `
      import { readFileSync } from 'node:fs';
      import { createEngine } from ${JSON.stringify(path.join(repoRoot, 'src/node/engine/index.ts'))};
      const engine = await createEngine({ irisThread: true });
      const bytes = new Uint8Array(readFileSync(${JSON.stringify(photo)}));
      let failed = 0;
      for (let i = 0; i < 6; i++) {
        const frame = engine.analyzeImage(bytes).catch((err) => { failed++; return err.code; });
        await new Promise((resolve) => setTimeout(resolve, 2 * i)); // the crash lands in the frame, its helper at work
        await engine.crashWorkerForTest(0, { whileHelperBusy: true });
        await frame;
      }
      const after = await engine.analyzeImage(bytes);
      console.log('restarts', engine.restarts, 'landmarks', after.faces[0].landmarks.length);
      await engine.close();
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      timeout: 120_000,
    });
    expect(stdout.trim()).toBe(`restarts 6 landmarks ${468 + 10}`);
  }, 150_000);

  it("createEngine's irisThread reaches every worker: one helper each when on, none when off", async () => {
    const [on, off] = await Promise.all([createEngine({ workers: 2, irisThread: true }), createEngine({ irisThread: false })]);
    try {
      expect([on.helperThreads, off.helperThreads]).toEqual([2, 0]);
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  }, 60_000);

  it('the helper thread does not keep the process alive (a pipeline left open still exits)', async () => {
    const photo = path.join(fixtures, 'ageitgey__face_recognition/examples/obama.jpg');
    const script = `
      import { readFileSync } from 'node:fs';
      import { loadPipeline } from ${JSON.stringify(path.join(repoRoot, 'src/node/engine/sessions.ts'))};
      import { decodeStill } from ${JSON.stringify(path.join(repoRoot, 'src/node/engine/decode.ts'))};
      const pipeline = await loadPipeline({ irisThread: true });
      const analysis = await pipeline.analyze(await decodeStill(readFileSync(${JSON.stringify(photo)})));
      console.log(analysis.faces[0].landmarks.length);
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(String(468 + 10));
  }, 90_000);
});
