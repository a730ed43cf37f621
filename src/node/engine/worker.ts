// The inference worker thread: owns the ORT sessions and runs the pipeline one frame at a time, off the event loop.
// Encoded stills are decoded here, once, into the buffer the pipeline reads: no decoded frame ever crosses threads.
import { parentPort, workerData } from 'node:worker_threads';
import { CodedError, toCodedError } from '../../shared/errors';
import type { FrameAnalysis } from '../../shared/analysis';
import type { AnalyzeOptions, RgbFrame } from './api';
import { decodeStill } from './decode';
import type { FramePipeline } from './pipeline';
import { loadPipeline, type PipelineLoadOptions } from './sessions';
import { helperControls, stopAllHelpersSync } from './split-batch';
import { CONTROL_BUSY } from './split-batch-layout';
import { wallClockMs } from './wall-clock';

type WorkerOptions = Omit<AnalyzeOptions, 'transfer' | 'maxBytes'>;

export type WorkerRequest =
  /** A decoded RGB frame; `buffer` was transferred (moved, not copied). `sentAt` is wallClockMs() when posted. */
  | { type: 'frame'; id: number; buffer: ArrayBuffer; width: number; height: number; options: WorkerOptions; sentAt: number }
  /** An encoded still, already validated by type and size on the caller's side; decoded here. */
  | { type: 'image'; id: number; bytes: ArrayBuffer; maxBytes?: number; options: WorkerOptions; sentAt: number }
  /**
   * Test hook: throw an uncaught error inside the worker, as a native crash or a bug would; `whileHelperBusy`: at a
   * moment a model helper thread is inside its model, the case that would abort the process.
   */
  | { type: 'crash'; id: number; whileHelperBusy?: boolean };

export type WorkerResponse =
  /** `helpers`: the control words of the worker's model helper threads, stopped before the worker is terminated. */
  | { type: 'ready'; loadMs: number; helpers: SharedArrayBuffer[] }
  | { type: 'init-error'; error: { code: string; message: string } }
  /** `finishedAt`: wallClockMs() when the result was posted (the caller books the way back as timings.from_worker). */
  | { type: 'result'; id: number; analysis: FrameAnalysis; finishedAt: number }
  | { type: 'error'; id: number; error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

const loadOptions = (workerData ?? {}) as PipelineLoadOptions;
let pipeline: FramePipeline | undefined;
// One frame at a time: the pipeline reuses its input tensors between frames.
let queue: Promise<void> = Promise.resolve();

function post(message: WorkerResponse): void {
  port!.postMessage(message);
}

async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'crash') {
    if (request.whileHelperBusy) {
      // Checked at each turn of the event loop: a frame yields one while it waits for its helper's items.
      const busy = helperControls().map((control) => new Int32Array(control));
      const giveUpAt = performance.now() + 5000;
      const poll = setInterval(() => {
        if (performance.now() < giveUpAt && !busy.some((control) => Atomics.load(control, CONTROL_BUSY) === 1)) return;
        clearInterval(poll);
        throw new Error('deliberate worker crash while a helper is busy (test hook)');
      }, 0);
      return;
    }
    setImmediate(() => {
      throw new Error('deliberate worker crash (test hook)');
    });
    return;
  }
  // Time from the caller's postMessage to now: message passing plus any frame queued ahead of this one.
  const timings: Record<string, number> = { to_worker: wallClockMs() - request.sentAt };
  try {
    if (!pipeline) throw new CodedError('ENGINE_FAILURE', 'The inference worker has no models loaded.');
    let frame: RgbFrame;
    if (request.type === 'image') {
      const started = performance.now();
      frame = await decodeStill(new Uint8Array(request.bytes), { maxBytes: request.maxBytes, transferable: false });
      timings.decode = performance.now() - started;
    } else {
      frame = { data: new Uint8Array(request.buffer), width: request.width, height: request.height };
    }
    const analysis = await pipeline.analyze(frame, request.options, timings);
    post({ type: 'result', id: request.id, analysis, finishedAt: wallClockMs() });
  } catch (err) {
    const coded =
      err instanceof CodedError
        ? err.toJSON()
        : { code: 'ENGINE_FAILURE', message: `Frame analysis failed: ${(err as Error)?.message ?? String(err)}` };
    post({ type: 'error', id: request.id, error: coded });
  }
}

// A helper thread must be out of its model before this worker dies (it would abort the process: split-batch-layout.ts).
process.on('uncaughtException', () => {
  stopAllHelpersSync();
  // Nothing of the error is logged (it may hold data); the engine sees the exit, fails the frames and restarts us.
  process.exit(1);
});

port.on('message', (request: WorkerRequest) => {
  // A crash request jumps the queue so that it can hit a frame in flight.
  if (request.type === 'crash') void handle(request);
  else queue = queue.then(() => handle(request));
});

try {
  const started = performance.now();
  pipeline = await loadPipeline(loadOptions);
  post({ type: 'ready', loadMs: performance.now() - started, helpers: helperControls() });
} catch (err) {
  post({ type: 'init-error', error: toCodedError(err) });
}
