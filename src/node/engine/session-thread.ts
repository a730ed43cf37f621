// A thread that owns one verified ONNX session and runs it on request: onnxruntime-node runs a model on the calling
// thread, so this is how one model of a frame runs on the second core while the frame's other work goes on.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { CodedError, toCodedError } from '../../shared/errors';
import type { PipelineModel } from './pipeline';
import { openSession, type PipelineLoadOptions } from './sessions';

/** A tensor as it crosses threads: float32 data (copied or transferred) and its dims. */
export interface WireTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface SessionThreadData {
  model: PipelineModel;
  load: Pick<PipelineLoadOptions, 'modelsDir' | 'intraOpNumThreads'>;
}

export type SessionThreadRequest = { id: number; feeds: Record<string, WireTensor> };

export type SessionThreadResponse =
  | { type: 'ready'; outputNames: string[] }
  | { type: 'init-error'; error: { code: string; message: string } }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { type: 'error'; id: number; error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('session-thread.ts must run in a worker thread');
const { model, load } = workerData as SessionThreadData;

function post(message: SessionThreadResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

try {
  const session = await openSession(model, load);
  port.on('message', (request: SessionThreadRequest) => {
    void (async () => {
      try {
        const feeds = Object.fromEntries(
          Object.entries(request.feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]),
        );
        const out = await session.run(feeds);
        const outputs: Record<string, WireTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const name of session.outputNames) {
          // A copy of the output that this thread owns outright, so it can be moved rather than copied again.
          const data = Float32Array.from(out[name].data as Float32Array);
          outputs[name] = { data, dims: out[name].dims };
          transfer.push(data.buffer);
        }
        post({ type: 'result', id: request.id, outputs }, transfer);
      } catch (err) {
        const error =
          err instanceof CodedError
            ? err.toJSON()
            : { code: 'ENGINE_FAILURE', message: `Model ${model} failed: ${(err as Error)?.message ?? String(err)}` };
        post({ type: 'error', id: request.id, error });
      }
    })();
  });
  post({ type: 'ready', outputNames: [...session.outputNames] });
} catch (err) {
  post({ type: 'init-error', error: toCodedError(err) });
}
