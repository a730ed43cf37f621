// The iris model on a thread of its own (ThreadedSession): the pipeline's answers are exactly those of the inline
// model on stills and on tracked camera frames, a thread that dies fails only its frame and is replaced, a model
// that cannot open fails at once with its own error, and an idle thread never keeps the process alive.
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
import type { FramePipeline } from '../../src/node/engine/pipeline';
import { loadPipeline, openSession } from '../../src/node/engine/sessions';
import { ThreadedSession } from '../../src/node/engine/threaded-session';

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

describe('the iris model on its own thread', () => {
  it("gives the inline pipeline's answers exactly, on stills and on tracked camera frames", async () => {
    const stills = await benchFrames(24);
    for (const frame of stills) expect(answer(await threaded.analyze(frame))).toEqual(answer(await inline.analyze(frame)));
    const [sequence] = await clipSequences(20);
    for (const [i, frame] of sequence.entries()) {
      const options = { trackId: 'threaded-session', timestampMs: i * 66 };
      const [a, b] = [await threaded.analyze(frame, options), await inline.analyze(frame, options)];
      expect(answer(a)).toEqual(answer(b));
      expect(a.faces[0]?.landmarks.length).toBe(468 + 10);
    }
  }, 120_000);

  it('a thread that dies fails the run in flight with ENGINE_FAILURE and the next run gets a new thread', async () => {
    const session = await ThreadedSession.open({ model: 'iris', load: {} });
    try {
      const expected = (await (await openSession('iris')).run(irisInput()))[session.outputNames[0]].data;
      const inFlight = session.run(irisInput());
      await session.crashForTest();
      await expect(inFlight).rejects.toMatchObject({ code: 'ENGINE_FAILURE' });
      const again = await session.run(irisInput());
      expect(again[session.outputNames[0]].data).toEqual(expected);
    } finally {
      await session.close();
    }
    await expect(session.run(irisInput())).rejects.toMatchObject({ code: 'ENGINE_FAILURE' });
  }, 60_000);

  it("a model that fails its integrity check is refused at open with the model store's own error", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'threaded-session-'));
    try {
      await copyFile(path.join(modelsDir(), 'manifest.json'), path.join(dir, 'manifest.json'));
      const bytes = await readFile(path.join(modelsDir(), 'iris.onnx'));
      bytes[bytes.length - 1] ^= 0xff;
      await writeFile(path.join(dir, 'iris.onnx'), bytes);
      await expect(ThreadedSession.open({ model: 'iris', load: { modelsDir: dir } })).rejects.toMatchObject({ code: 'MODEL_INTEGRITY' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an idle model thread does not keep the process alive (a pipeline left open still exits)', async () => {
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
