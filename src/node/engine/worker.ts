// The inference worker thread: owns the ORT sessions and runs the pipeline one frame at a time, off the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { CodedError, toCodedError } from '../../shared/errors';
import type { AnalyzeOptions } from './api';
import type { FramePipeline } from './pipeline';
import { loadPipeline, type PipelineLoadOptions } from './sessions';

export type WorkerRequest =
  | { type: 'frame'; id: number; buffer: ArrayBuffer; width: number; height: number; options: AnalyzeOptions; decodeMs?: number }
  /** Test hook: throw an uncaught error inside the worker, as a native crash or a bug would. */
  | { type: 'crash'; id: number };

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'init-error'; error: { code: string; message: string } }
  | { type: 'result'; id: number; analysis: import('../../shared/analysis').FrameAnalysis }
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
    setImmediate(() => {
      throw new Error('deliberate worker crash (test hook)');
    });
    return;
  }
  try {
    if (!pipeline) throw new CodedError('ENGINE_FAILURE', 'The inference worker has no models loaded.');
    const frame = { data: new Uint8Array(request.buffer), width: request.width, height: request.height };
    const timings: Record<string, number> = request.decodeMs !== undefined ? { decode: request.decodeMs } : {};
    const analysis = await pipeline.analyze(frame, request.options, timings);
    post({ type: 'result', id: request.id, analysis });
  } catch (err) {
    const coded =
      err instanceof CodedError ? err.toJSON() : { code: 'ENGINE_FAILURE', message: `Frame analysis failed: ${(err as Error)?.message ?? String(err)}` };
    post({ type: 'error', id: request.id, error: coded });
  }
}

port.on('message', (request: WorkerRequest) => {
  // A crash request jumps the queue so that it can hit a frame in flight.
  if (request.type === 'crash') void handle(request);
  else queue = queue.then(() => handle(request));
});

try {
  pipeline = await loadPipeline(loadOptions);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'init-error', error: toCodedError(err) });
}
