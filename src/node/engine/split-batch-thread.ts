// The helper thread of a SplitBatchSession: it owns one verified ONNX session and takes batch items from shared
// memory as soon as the caller marks them ready, one at a time, until the caller has taken the rest itself.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { toCodedError } from '../../shared/errors';
import {
  CONTROL_BUSY,
  CONTROL_EXIT_ON_CLAIM,
  CONTROL_STOP,
  CONTROL_WAKE,
  ItemState,
  itemStateIndex,
  type SplitBatchThreadData,
} from './split-batch-layout';
import { openSession } from './sessions';

export type SplitBatchThreadMessage = { type: 'ready' } | { type: 'init-error'; error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('split-batch-thread.ts must run in a worker thread');
const data = workerData as SplitBatchThreadData;

/** How long the thread sleeps at most before it looks at the stop flag again (a close() also wakes it at once). */
const IDLE_WAIT_MS = 1000;

async function serve(session: ort.InferenceSession): Promise<void> {
  const control = new Int32Array(data.control);
  const input = new Float32Array(data.input);
  const outputs = data.outputs.map((buffer) => new Float32Array(buffer));
  // onnxruntime refuses tensors over shared memory: each item is copied into this thread's own buffer first.
  const item = new Float32Array(data.itemInputSize);
  const tensor = new ort.Tensor('float32', item, [1, ...data.itemDims]);
  const inputName = session.inputNames[0];
  for (;;) {
    const seen = Atomics.load(control, CONTROL_WAKE);
    // Busy before the stop check: an owner that sets the stop flag and then sees busy clear knows no item is taken.
    Atomics.store(control, CONTROL_BUSY, 1);
    let took = false;
    for (let k = 0; k < data.maxItems && Atomics.load(control, CONTROL_STOP) === 0; k++) {
      const state = itemStateIndex(k);
      if (Atomics.compareExchange(control, state, ItemState.Ready, ItemState.Thread) !== ItemState.Ready) continue;
      if (Atomics.load(control, CONTROL_EXIT_ON_CLAIM) === 1) process.exit(1);
      took = true;
      try {
        item.set(input.subarray(k * data.itemInputSize, (k + 1) * data.itemInputSize));
        const out = await session.run({ [inputName]: tensor });
        data.outputNames.forEach((name, j) => outputs[j].set(out[name].data as Float32Array, k * data.itemOutputSizes[j]));
        Atomics.store(control, state, ItemState.Done);
      } catch {
        Atomics.store(control, state, ItemState.Failed);
      }
      Atomics.notify(control, state);
    }
    Atomics.store(control, CONTROL_BUSY, 0);
    Atomics.notify(control, CONTROL_BUSY);
    if (Atomics.load(control, CONTROL_STOP) === 1) return;
    if (!took) Atomics.wait(control, CONTROL_WAKE, seen, IDLE_WAIT_MS);
  }
}

try {
  const session = await openSession(data.model, data.load);
  port.postMessage({ type: 'ready' } satisfies SplitBatchThreadMessage);
  await serve(session);
} catch (err) {
  port.postMessage({ type: 'init-error', error: toCodedError(err) } satisfies SplitBatchThreadMessage);
}
